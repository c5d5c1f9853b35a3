/**
 * `redis` monitors: a fresh connection to the URL and a PING, closed (also on timeout or abort). No SET/GET round
 * trip: the configuration promises a PING, and a monitor pointed at a read-only replica must not fail on a write.
 */
import { redisProbe } from '@vigil/core';
import type { MonitorOfType } from '../config/index.js';
import { connectionSecrets, datastoreOutcome, elapsedSince, shownConnectionUrl, urlHost } from './outcome.js';
import type { MonitorKind } from './types.js';

export const redis: MonitorKind<MonitorOfType<'redis'>> = {
  prepare: (monitor, conditions) => {
    const options = {
      url: monitor.url,
      ...(monitor.password !== undefined ? { password: monitor.password } : {}),
      // The monitor depends on ioredis; node-redis is not looked for.
      driver: 'ioredis' as const,
      roundTrip: false,
    };
    const target = shownConnectionUrl(monitor.url);
    return async (context) => {
      const start = performance.now();
      const result = await redisProbe(options, context);
      // ioredis says only "Connection is closed." when the server goes away mid-command.
      const closed = result.error !== undefined && /^connection is closed\.?$/i.test(result.error);
      const explained = closed
        ? { ...result, error: `the server closed the connection to ${target} before it answered` }
        : result;
      return datastoreOutcome(explained, elapsedSince(start), conditions, context.now());
    };
  },
  target: (monitor) => shownConnectionUrl(monitor.url),
  host: (monitor) => urlHost(monitor.url),
  secrets: (monitor) => connectionSecrets(monitor.url, monitor.password),
};
