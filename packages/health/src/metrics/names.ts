/**
 * Name rules for metrics the app defines: Prometheus' syntax plus the naming conventions `promtool check metrics`
 * lints, so a business gauge cannot make the endpoint fail the check that the built-in metrics pass.
 */

const SNAKE_CASE = /^[a-z_][a-z0-9_]*$/;

/** Suffixes Prometheus gives meaning to: a gauge with one of them reads as a counter or histogram part. */
const RESERVED_SUFFIXES = ['_total', '_count', '_sum', '_bucket', '_created'];
/** `promtool`: "metric names should not contain abbreviated units". */
const ABBREVIATED_UNITS = ['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd'];
const BASE_UNITS: Record<string, string> = {
  seconds: 'seconds',
  bytes: 'bytes',
  meters: 'meters',
  metres: 'metres',
  grams: 'grams',
  amperes: 'amperes',
  volts: 'volts',
  joules: 'joules',
  celsius: 'celsius',
  kelvin: 'kelvin',
};
const UNIT_PREFIXES = ['pico', 'nano', 'micro', 'milli', 'centi', 'deci', 'deca', 'hecto', 'kilo', 'kila', 'mega']
  .concat(['giga', 'tera', 'peta', 'exa', 'zetta', 'yotta']);
const TIME_UNITS = ['minutes', 'hours', 'days', 'weeks'];

/** Names that prom-client's default metrics and Vigil itself use. */
export const RESERVED_PREFIXES = ['vigil_', 'process_', 'nodejs_'];

function hasPart(name: string, part: string): boolean {
  return name.endsWith(`_${part}`) || name.includes(`_${part}_`);
}

/** Why `name` is not a good gauge name, or `undefined` when it is. */
export function gaugeNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || !SNAKE_CASE.test(name)) {
    return 'use snake_case: lowercase letters, digits and "_", not starting with a digit (":" is for recording rules)';
  }
  if (name.startsWith('__')) return 'names starting with "__" are reserved for Prometheus';
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `the "${prefix}" prefix is reserved for Vigil and the Node.js process metrics`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) {
    const stem = name.slice(0, -suffix.length);
    return `a gauge must not end in "${suffix}" (counters and histograms own it): call it e.g. "${stem}"`;
  }
  for (const type of ['gauge', 'counter', 'histogram', 'summary']) {
    if (hasPart(name, type)) return `leave the type ("${type}") out of the name`;
  }
  for (const abbreviation of ABBREVIATED_UNITS) {
    if (hasPart(name, abbreviation)) return `spell the unit out in base units ("_${abbreviation}" is abbreviated)`;
  }
  for (const unit of TIME_UNITS) {
    if (hasPart(name, unit)) return `use base unit "seconds" instead of "${unit}"`;
  }
  for (const [unit, base] of Object.entries(BASE_UNITS)) {
    for (const prefix of UNIT_PREFIXES) {
      if (hasPart(name, `${prefix}${unit}`)) return `use base unit "${base}" instead of "${prefix}${unit}"`;
    }
  }
  return undefined;
}

/** Why `name` is not a good label name, or `undefined`. */
export function labelNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || !SNAKE_CASE.test(name)) {
    return 'use snake_case: lowercase letters, digits and "_", not starting with a digit';
  }
  if (name.startsWith('__')) return 'label names starting with "__" are reserved for Prometheus';
  if (name === 'le' || name === 'quantile') return `"${name}" is reserved for histograms and summaries`;
  return undefined;
}

/** An error kind or collector name used as a label value: a short identifier, never free text or an id. */
const KIND = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

export function isLabelToken(value: string): boolean {
  return typeof value === 'string' && KIND.test(value);
}
