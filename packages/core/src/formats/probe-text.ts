/**
 * Kubernetes-style plain-text probe output (`/livez`, `/readyz`):
 *
 *   [+]postgres ok
 *   [-]redis failed: reason withheld
 *   readyz check failed
 */
export interface ProbeLine {
  name: string;
  ok: boolean;
  excluded?: boolean;
  /** Shown only to callers allowed to see details. */
  reason?: string;
}

export function toProbeText(
  endpoint: string,
  lines: readonly ProbeLine[],
  options: { verbose: boolean; showReasons: boolean },
): string {
  const ok = lines.every((l) => l.ok || l.excluded);
  if (ok && !options.verbose) return 'ok\n';
  let out = '';
  for (const line of lines) {
    if (line.excluded) out += `[+]${line.name} excluded: ok\n`;
    else if (line.ok) out += `[+]${line.name} ok\n`;
    else
      out += `[-]${line.name} failed: ${options.showReasons && line.reason ? oneLine(line.reason) : 'reason withheld'}\n`;
  }
  return `${out}${endpoint} check ${ok ? 'passed' : 'failed'}\n`;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
