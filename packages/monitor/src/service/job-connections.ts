/**
 * The Redis connections whose background jobs (BullMQ) the API and the dashboard show: one per `redis` monitor of
 * the configuration, named by the monitor's id, with the monitor's `bullmq_prefix` (default `bull`).
 */
import { DEFAULT_BULLMQ_PREFIX } from '@vigil/core';
import type { VigilConfig } from '../config/index.js';

export interface JobConnection {
  /** The monitor's id: the `:connection` of /api/v1/jobs/:connection/…. */
  id: string;
  /** The monitor's name. */
  name: string;
  /** The Redis URL, which may hold a password: never shown (see `redactUrl`). */
  url: string;
  /** The password kept out of the URL. */
  password?: string;
  /** BullMQ's key prefix. */
  prefix: string;
}

/** The job connections of a configuration: its `redis` monitors, in their order. */
export function jobConnectionsOf(config: VigilConfig): JobConnection[] {
  return config.monitors.flatMap((monitor) =>
    monitor.type === 'redis'
      ? [
          {
            id: monitor.id,
            name: monitor.name,
            url: monitor.url,
            ...(monitor.password === undefined ? {} : { password: monitor.password }),
            prefix: monitor.bullmq_prefix ?? DEFAULT_BULLMQ_PREFIX,
          },
        ]
      : [],
  );
}
