/**
 * Loading in a worker thread. A configuration is parsed into a YAML syntax tree that keeps a position for every
 * value (so that any problem names its file, line and column); the first pass parses a large file a slice of
 * monitors at a time (split-monitors.ts), but zod's output, the worker's own modules and what V8 keeps of the garbage
 * still add up to tens of MB at 10,000 monitors. Parsed in a worker, that memory goes back to the system when the
 * thread ends; only the validated configuration (plain data) crosses over. `vigil serve` loads this way at start and
 * on every reload. A small configuration is parsed in the calling thread: a worker's own isolate and modules cost
 * about 10 MB of memory for a moment, more than the tree of a few thousand monitors.
 */
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { ConfigError, type ConfigIssue } from './errors.js';
import type { LoadedConfig, LoadOptions } from './load.js';
import { shareRepeatedValues } from './share-values.js';

/** What the worker (`load-worker.ts`) posts back. */
export type LoadReply =
  | { ok: true; loaded: LoadedConfig }
  | { ok: false; issues: ConfigIssue[] }
  | { ok: false; message: string };

export interface LoadIsolatedOptions extends LoadOptions {
  /**
   * The compiled worker module. Default: `load-worker.js` next to this file — absent when this file runs from
   * its TypeScript source (the tests), where the configuration is then loaded in the calling thread.
   */
  workerUrl?: URL;
  /** Files (together) smaller than this are loaded in the calling thread. Default: ISOLATE_FROM_BYTES. */
  isolateFromBytes?: number;
}

/** From this size (about 3,000 monitors) a configuration is parsed in a worker thread. */
export const ISOLATE_FROM_BYTES = 256 * 1024;

/** The files' size together; a missing file counts 0 (loading it reports it). */
async function totalBytes(paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const path of paths) total += await stat(path).then((info) => info.size, () => 0);
  return total;
}

export async function loadConfigIsolated(
  paths: readonly string[],
  options: LoadIsolatedOptions = {},
): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const workerUrl =
    options.workerUrl ??
    (import.meta.url.endsWith('.js') ? new URL('./load-worker.js', import.meta.url) : undefined);
  if (workerUrl === undefined || (await totalBytes(paths)) < (options.isolateFromBytes ?? ISOLATE_FROM_BYTES)) {
    // Loaded here only when needed: the schema and the YAML parser weigh about 27 MB of RSS, and a large
    // configuration is parsed in the worker while the calling thread has not loaded them yet.
    const { loadConfig } = await import('./load.js');
    return shareRepeatedValues(await loadConfig(paths, { env, monitorsPerSlice: options.monitorsPerSlice }));
  }
  // Only strings cross over: process.env is an exotic object, and an unset variable is simply absent.
  const plainEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) plainEnv[name] = value;
  const worker = new Worker(workerUrl, { workerData: { paths: [...paths], env: plainEnv, monitorsPerSlice: options.monitorsPerSlice } });
  return new Promise<LoadedConfig>((resolve, reject) => {
    let settled = false;
    worker.once('message', (reply: LoadReply) => {
      settled = true;
      if (reply.ok) resolve(shareRepeatedValues(reply.loaded));
      else if ('issues' in reply) reject(new ConfigError(reply.issues));
      else reject(new Error(reply.message));
    });
    worker.once('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new Error(`the configuration loader stopped without an answer (exit code ${code})`));
    });
  });
}
