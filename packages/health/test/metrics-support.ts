import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,' +
  'text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

interface Run {
  code: number;
  output: string;
}

/** Runs the real promtool, `input` on stdin; stdout and stderr together. */
export function promtool(args: string[], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error('promtool not found: apt-get install prometheus') : error),
    );
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
    child.stdin.on('error', () => {}); // promtool may exit before reading everything
    child.stdin.end(input);
  });
}

/** Fails (never skips) with an installation hint when promtool is missing. */
export async function requirePromtool(): Promise<void> {
  const { code, output } = await promtool(['--version']);
  if (code !== 0) throw new Error(`promtool --version failed (${code}): ${output}`);
}

/** `promtool check metrics`: exit code and one finding per line. */
export async function checkMetrics(body: string): Promise<{ code: number; findings: string[] }> {
  const { code, output } = await promtool(['check', 'metrics'], body);
  return { code, findings: output.split('\n').filter((line) => line.trim() !== '') };
}

/**
 * Parses an OpenMetrics exposition with Prometheus' own OpenMetrics parser (`promtool tsdb create-blocks-from
 * openmetrics`), which rejects a missing `# EOF`, bad metadata, bad escaping or malformed samples. The importer
 * needs a timestamp on every sample, so one is appended to each sample line (nothing else is changed).
 */
export async function parseOpenMetrics(body: string): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-om-'));
  try {
    const withTimestamps = body
      .split('\n')
      .map((line) => (line === '' || line.startsWith('#') ? line : `${line} 1700000000`))
      .join('\n');
    const input = path.join(dir, 'metrics.om');
    fs.writeFileSync(input, withTimestamps);
    return await promtool(['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', input, path.join(dir, 'blocks')]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A small exposition parser for assertions (no escapes beyond \\, \" and \n in label values). */
export function parseSamples(body: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const m of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const raw = match[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** The value of the one sample with this name and (at least) these labels; undefined when absent. */
export function valueOf(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = parseSamples(body).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples match ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** `# TYPE` lines: family name → type. */
export function familyTypes(body: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1]!, m[2]!);
  return types;
}

export async function scrapeOver(url: string, accept?: string): Promise<{ res: Response; body: string }> {
  const res = await fetch(`${url}/metrics`, accept ? { headers: { accept } } : {});
  return { res, body: await res.text() };
}
