/** The sidecar's settings from options and environment variables; options win. */

export const WORKER_HEALTHCHECK_ENV = {
  enabled: 'VIGIL_WORKER_HEALTHCHECK_ENABLED',
  port: 'VIGIL_WORKER_HEALTHCHECK_PORT',
  host: 'VIGIL_WORKER_HEALTHCHECK_HOST',
  threshold: 'VIGIL_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS',
} as const;

export const DEFAULT_WORKER_HEALTHCHECK_PORT = 8001;
/** Loopback: only the pod or host itself can reach it unless the app opts in to `0.0.0.0`. */
export const DEFAULT_WORKER_HEALTHCHECK_HOST = '127.0.0.1';
export const DEFAULT_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS = 5;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 100;

export interface ResolvedWorkerConfig {
  enabled: boolean;
  port: number;
  host: string;
  thresholdMs: number;
  heartbeatIntervalMs: number;
}

export interface WorkerConfigInput {
  enabled?: boolean;
  port?: number;
  host?: string;
  eventLoopBlockThresholdSeconds?: number;
  heartbeatIntervalMs?: number;
  env?: Readonly<Record<string, string | undefined>>;
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

function envValue(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parseEnabled(text: string): boolean {
  const value = text.toLowerCase();
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new TypeError(`${WORKER_HEALTHCHECK_ENV.enabled} must be true or false (or 1 / 0), got "${text}"`);
}

function checkPort(port: number, source: string): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`${source} must be a port number from 0 to 65535 (0 picks a free one), got "${port}"`);
  }
  return port;
}

function checkThreshold(seconds: number, source: string): number {
  if (!(Number.isFinite(seconds) && seconds > 0)) {
    throw new TypeError(`${source} must be a positive number of seconds, got "${seconds}"`);
  }
  return seconds;
}

/** Throws a TypeError naming the variable or option when a value is not usable. */
export function resolveWorkerConfig(input: WorkerConfigInput = {}): ResolvedWorkerConfig {
  const env = input.env ?? process.env;
  const enabledText = envValue(env, WORKER_HEALTHCHECK_ENV.enabled);
  const enabled = input.enabled ?? (enabledText === undefined ? true : parseEnabled(enabledText));

  const portText = envValue(env, WORKER_HEALTHCHECK_ENV.port);
  const port =
    input.port !== undefined
      ? checkPort(input.port, 'port')
      : portText !== undefined
        ? checkPort(/^\d+$/.test(portText) ? Number(portText) : Number.NaN, WORKER_HEALTHCHECK_ENV.port)
        : DEFAULT_WORKER_HEALTHCHECK_PORT;

  const thresholdText = envValue(env, WORKER_HEALTHCHECK_ENV.threshold);
  const thresholdSeconds =
    input.eventLoopBlockThresholdSeconds !== undefined
      ? checkThreshold(input.eventLoopBlockThresholdSeconds, 'eventLoopBlockThresholdSeconds')
      : thresholdText !== undefined
        ? checkThreshold(Number(thresholdText), WORKER_HEALTHCHECK_ENV.threshold)
        : DEFAULT_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS;

  const host = input.host ?? envValue(env, WORKER_HEALTHCHECK_ENV.host) ?? DEFAULT_WORKER_HEALTHCHECK_HOST;

  const heartbeatIntervalMs = input.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  if (!(Number.isFinite(heartbeatIntervalMs) && heartbeatIntervalMs >= 10 && heartbeatIntervalMs <= 1000)) {
    throw new TypeError(`heartbeatIntervalMs must be from 10 to 1000 ms, got "${heartbeatIntervalMs}"`);
  }
  // A heartbeat slower than the threshold would read as a blocked loop between two beats.
  if (heartbeatIntervalMs >= thresholdSeconds * 1000) {
    throw new TypeError('heartbeatIntervalMs must be shorter than the event-loop block threshold');
  }
  return { enabled, port, host, thresholdMs: thresholdSeconds * 1000, heartbeatIntervalMs };
}
