/**
 * Metric names in PromQL, so rules and panels can be checked against the catalogue (@vigil/core METRICS): a
 * renamed metric must break a test, not silently empty a panel.
 */
import { METRICS } from '@vigil/core';

/**
 * Business metrics of the example shop app (examples/shop), the only names outside the catalogue the generated
 * files may use, and only with `--business-example`. `shop_sales_today` is the gauge of today's sales that
 * docs/metrics.md defines (a gauge must not end in `_total`, so not the seed's `…_sales_today_total`).
 */
export const EXAMPLE_BUSINESS_METRICS = ['shop_sales_today'] as const;

/** Words that are PromQL syntax, not metric names, when they stand alone. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'atan2',
  'inf',
  'nan',
  // Aggregations may be followed by `by (…)` instead of their `(`.
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'limitk',
  'limit_ratio',
]);

/** Keywords followed by a parenthesised list of label names. */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const IDENTIFIER_START = /[A-Za-z_:]/;
const IDENTIFIER_PART = /[A-Za-z0-9_:]/;

/**
 * The metric names an expression selects, in order of appearance, each once. Handles label matchers (including
 * `{__name__="…"}`), strings, range and subquery brackets, function calls, `by`/`on`-style label lists, numbers,
 * durations, comments and Grafana variables (`$job`, `${job}`, `$__rate_interval`).
 */
export function metricNames(expr: string): string[] {
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  let i = 0;
  const skipSpace = () => {
    while (i < expr.length && /\s/.test(expr[i] ?? '')) i++;
  };
  const skipString = () => {
    const quote = expr[i];
    i++;
    while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
    i++;
  };
  const skipUntil = (close: string) => {
    while (i < expr.length && expr[i] !== close) {
      if (expr[i] === '"' || expr[i] === "'" || expr[i] === '`') skipString();
      else i++;
    }
    i++;
  };
  /** Reads `{…}`, returning the value of a `__name__="…"` matcher if there is one. */
  const readMatchers = (): string | undefined => {
    const start = i;
    skipUntil('}');
    const body = expr.slice(start, i);
    return /__name__\s*=\s*(["'`])([^"'`]*)\1/.exec(body)?.[2];
  };

  while (i < expr.length) {
    const c = expr[i] ?? '';
    if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '"' || c === "'" || c === '`') {
      skipString();
    } else if (c === '[') {
      skipUntil(']');
    } else if (c === '{') {
      const name = readMatchers();
      if (name) add(name);
    } else if (c === '$') {
      // A Grafana variable: `$name` or `${name}` / `${name:format}`.
      i++;
      if (expr[i] === '{') skipUntil('}');
      else while (i < expr.length && IDENTIFIER_PART.test(expr[i] ?? '')) i++;
    } else if (/[0-9.]/.test(c)) {
      // Numbers, hex, exponents and durations (5m, 1h30m): all start with a digit or a dot.
      while (i < expr.length && /[0-9A-Za-z_.]/.test(expr[i] ?? '')) {
        if ((expr[i] === 'e' || expr[i] === 'E') && /[+-]/.test(expr[i + 1] ?? '')) i++;
        i++;
      }
    } else if (IDENTIFIER_START.test(c)) {
      const start = i;
      while (i < expr.length && IDENTIFIER_PART.test(expr[i] ?? '')) i++;
      const word = expr.slice(start, i);
      const lower = word.toLowerCase();
      skipSpace();
      const next = expr[i];
      if (LABEL_LISTS.has(lower)) {
        if (next === '(') {
          i++;
          skipUntil(')');
        }
      } else if (word === 'label_values' && next === '(') {
        // Grafana's `label_values(expr, label)` or `label_values(label)`: only the expression holds metrics.
        const start = ++i;
        for (let depth = 1; i < expr.length && depth > 0; ) {
          const d = expr[i];
          if (d === '"' || d === "'" || d === '`') skipString();
          else {
            if (d === '(') depth++;
            else if (d === ')') depth--;
            i++;
          }
        }
        const args = expr.slice(start, i - 1);
        const comma = args.lastIndexOf(',');
        if (comma >= 0) for (const name of metricNames(args.slice(0, comma))) add(name);
      } else if (next !== '(' && !KEYWORDS.has(lower)) {
        // Not a function call nor an operator (their arguments are scanned as the loop goes on): a metric.
        add(word);
      }
    } else {
      i++;
    }
  }
  return names;
}

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/**
 * Whether a name may appear in a generated rule or panel: a catalogue metric (a histogram with its series
 * suffixes), Prometheus's own `up`, node_exporter's `node_*`, or an example business metric when allowed.
 */
export function isAllowedMetric(name: string, allowBusinessExample = false): boolean {
  if (name === 'up' || name.startsWith('node_')) return true;
  if (allowBusinessExample && (EXAMPLE_BUSINESS_METRICS as readonly string[]).includes(name)) return true;
  return METRICS.some(
    (metric) =>
      metric.name === name ||
      (metric.type === 'histogram' && HISTOGRAM_SUFFIXES.some((suffix) => metric.name + suffix === name)),
  );
}

/** The names in an expression that are not allowed (empty when all are). */
export function unknownMetrics(expr: string, allowBusinessExample = false): string[] {
  return metricNames(expr).filter((name) => !isAllowedMetric(name, allowBusinessExample));
}
