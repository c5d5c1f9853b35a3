/** `postgres` monitors: a fresh connection to the URL, `SELECT 1`, closed (also on timeout or abort). */
import { postgresProbe } from '@vigil/core';
import type { MonitorOfType } from '../config/index.js';
import { connectionSecrets, datastoreOutcome, elapsedSince, shownConnectionUrl, urlHost } from './outcome.js';
import type { MonitorKind } from './types.js';

export const postgres: MonitorKind<MonitorOfType<'postgres'>> = {
  prepare: (monitor, conditions) => {
    const options = {
      connectionString: monitor.url,
      ...(monitor.password !== undefined ? { password: monitor.password } : {}),
    };
    return async (context) => {
      const start = performance.now();
      const result = await postgresProbe(options, context);
      return datastoreOutcome(result, elapsedSince(start), conditions, context.now());
    };
  },
  target: (monitor) => shownConnectionUrl(monitor.url),
  host: (monitor) => urlHost(monitor.url),
  secrets: (monitor) => connectionSecrets(monitor.url, monitor.password),
};
