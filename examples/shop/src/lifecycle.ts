/** What the api and worker entry points share: telling the launcher they are up, and failing to start. */
import type { GracefulShutdownHandle } from '@vigil/health';
import type { ShopConfig } from './config.js';
import { describeStartupFailure } from './startup.js';

/** Sent over IPC to dist/start.js, which prints the URLs once both processes are up. */
export interface ReadyMessage {
  type: 'ready';
  service: 'api' | 'worker';
  /** Null for a worker whose health sidecar is turned off (VIGIL_WORKER_HEALTHCHECK_ENABLED=false). */
  url: string | null;
}

export function isReadyMessage(value: unknown): value is ReadyMessage {
  const m = value as Partial<ReadyMessage> | null;
  return (
    m?.type === 'ready' &&
    (m.service === 'api' || m.service === 'worker') &&
    (typeof m.url === 'string' || m.url === null)
  );
}

export function reportReady(message: ReadyMessage): void {
  process.send?.(message);
}

/**
 * Started by dist/start.js (an IPC channel exists): shut down when the launcher goes away, even if it was killed
 * without passing a signal on, so no orphan keeps the ports.
 */
export function stopWithLauncher(shutdown: GracefulShutdownHandle): void {
  if (!process.connected) return;
  process.once('disconnect', () => void shutdown.shutdown('launcher exited'));
}

/** One line on stderr, exit code 1. */
export function failStart(name: string, error: unknown, config?: ShopConfig): never {
  console.error(`${name}: ${describeStartupFailure(error, config)}`);
  process.exit(1);
}
