/** The worker thread of `loadConfigIsolated`: loads the configuration, posts it (or its problems) and ends. */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from './errors.js';
import { loadConfig } from './load.js';
import type { LoadReply } from './load-isolated.js';

const { paths, env, monitorsPerSlice } = workerData as { paths: string[]; env: Record<string, string>; monitorsPerSlice?: number };

let reply: LoadReply;
try {
  reply = { ok: true, loaded: await loadConfig(paths, { env, monitorsPerSlice }) };
} catch (error) {
  reply =
    error instanceof ConfigError
      ? { ok: false, issues: [...error.issues] }
      : { ok: false, message: error instanceof Error ? error.message : String(error) };
}
parentPort?.postMessage(reply);
