/** How configuration problems are reported: `file:line:col: field.path: message`, every problem at once. */

export type PathSegment = string | number;

export interface SourcePosition {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface ConfigIssue {
  /** The file as it was given (or `dir/name.yaml` for a file found in a directory); absent for general problems. */
  file?: string;
  line?: number;
  column?: number;
  /** The field, as written in the file: `monitors[2].interval`; empty for the file as a whole. */
  path: string;
  message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const where =
    issue.file === undefined
      ? ''
      : `${[issue.file, issue.line, issue.column].filter((p) => p !== undefined).join(':')}: `;
  return `${where}${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

export function formatPosition(position: SourcePosition): string {
  return `${position.file}:${position.line}:${position.column}`;
}

/** Thrown by the loader: `issues` has every problem found, the message lists them one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`invalid configuration (${count}):\n${issues.map(formatIssue).join('\n')}`);
    this.issues = issues;
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['monitors', 2, 'interval']` → `monitors[2].interval`; odd keys are quoted: `headers["X-Api-Key"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Optimal string alignment distance (Levenshtein plus transpositions). */
function distance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

const normalise = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');

/** The candidate closest to `input` when it is close enough to be a likely typo (`intervl` → `interval`). */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (normalise(candidate) === normalise(input)) return candidate;
    const score = distance(input.toLowerCase(), candidate.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(input.length, candidate.length) * 0.45));
    if (score <= limit && score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
