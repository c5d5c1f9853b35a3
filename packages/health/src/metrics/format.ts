/**
 * The two exposition formats `/metrics` speaks — Prometheus text 0.0.4 and OpenMetrics 1.0 — chosen by the
 * request's `Accept` header. Rendering is done here rather than by prom-client's `Registry#metrics()`, which
 * switches format through a registry-wide setting (two concurrent scrapes with different `Accept` headers
 * would race) and renames counters in place when it renders OpenMetrics.
 */

export type MetricsFormat = 'text' | 'openmetrics';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export function contentTypeOf(format: MetricsFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}

/**
 * OpenMetrics when the client asks for `application/openmetrics-text` at least as much as for text (Prometheus
 * sends `application/openmetrics-text;version=1.0.0,…,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`); the text
 * format otherwise, including when there is no `Accept` header.
 */
export function negotiateMetricsFormat(accept: string | undefined): MetricsFormat {
  if (!accept?.toLowerCase().includes('application/openmetrics-text')) return 'text';
  let openMetricsQ = 0;
  let textQ = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().split(';');
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const parsed = qParam ? Number(qParam.slice(2)) : 1;
    const q = Number.isFinite(parsed) ? parsed : 0;
    const media = type.trim().toLowerCase();
    if (media === 'application/openmetrics-text') openMetricsQ = Math.max(openMetricsQ, q);
    else if (media === 'text/plain' || media === 'text/*' || media === '*/*') textQ = Math.max(textQ, q);
  }
  return openMetricsQ > 0 && openMetricsQ >= textQ ? 'openmetrics' : 'text';
}

export type MetricFamilyType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface MetricSample {
  /** The sample's name: the family name, or with a `_bucket`/`_sum`/`_count` suffix. */
  name: string;
  labels: Readonly<Record<string, string | number>>;
  value: number;
}

/** One metric family as collected, format-neutral. Counter families carry their `_total` name (text style). */
export interface MetricFamily {
  name: string;
  help: string;
  type: MetricFamilyType;
  samples: readonly MetricSample[];
}

export function renderMetrics(families: readonly MetricFamily[], format: MetricsFormat): string {
  return format === 'openmetrics' ? renderOpenMetrics(families) : renderText(families);
}

/** Prometheus text format 0.0.4. */
export function renderText(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeTextHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(sampleLine(sample.name, sample.labels, sample.value, false));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/**
 * OpenMetrics 1.0: counter families are named without `_total` and their samples with it; `# UNIT` where the
 * name ends in a base unit; `le`/`quantile` values in canonical form (`1.0`, `0.005`, `+Inf`); `# EOF` last.
 */
export function renderOpenMetrics(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    const isCounter = family.type === 'counter';
    const name = isCounter ? stripSuffix(family.name, '_total') : family.name;
    lines.push(`# TYPE ${name} ${family.type === 'untyped' ? 'unknown' : family.type}`);
    const unit = unitOf(name);
    if (unit) lines.push(`# UNIT ${name} ${unit}`);
    lines.push(`# HELP ${name} ${escapeOpenMetricsHelp(family.help)}`);
    for (const sample of family.samples) {
      const sampleName = isCounter && sample.name === family.name ? `${name}_total` : sample.name;
      lines.push(sampleLine(sampleName, sample.labels, sample.value, true));
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

const UNITS = ['seconds', 'bytes'] as const;

function unitOf(name: string): string | undefined {
  return UNITS.find((unit) => name.endsWith(`_${unit}`));
}

function stripSuffix(name: string, suffix: string): string {
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
}

function sampleLine(
  name: string,
  labels: Readonly<Record<string, string | number>>,
  value: number,
  openMetrics: boolean,
): string {
  const parts: string[] = [];
  for (const key in labels) {
    const raw = labels[key]!;
    const text =
      openMetrics && (key === 'le' || key === 'quantile') && typeof raw === 'number' ? canonicalNumber(raw) : raw;
    parts.push(`${key}="${escapeLabelValue(String(text))}"`);
  }
  return `${name}${parts.length > 0 ? `{${parts.join(',')}}` : ''} ${formatValue(value)}`;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * OpenMetrics' canonical numbers for `le` and `quantile`: Go's `%g`, with `.0` appended when there is neither a
 * decimal point nor an exponent (`1.0`, `0.005`, `100000.0`, `1e+06`, `1e-05`).
 */
export function canonicalNumber(value: number): string {
  if (!Number.isFinite(value)) return formatValue(value);
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const plain = String(value);
  return /[.e]/.test(plain) ? plain : `${plain}.0`;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Text 0.0.4 HELP knows only `\\` and `\n`. */
function escapeTextHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeOpenMetricsHelp(help: string): string {
  return escapeLabelValue(help);
}
