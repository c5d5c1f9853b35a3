/** `mysql` monitors (MySQL or MariaDB): a fresh connection, `SELECT 1`, closed (also on timeout or abort). */
import { mysqlProbe } from '@vigil/core';
import type { MonitorOfType } from '../config/index.js';
import { connectionSecrets, datastoreOutcome, elapsedSince, shownConnectionUrl, urlHost } from './outcome.js';
import type { MonitorKind } from './types.js';

/** mysql2 reads `mysql://` URLs only; `mariadb://` is the same protocol. */
function mysqlUri(url: string): string {
  return url.replace(/^mariadb:/i, 'mysql:');
}

export const mysql: MonitorKind<MonitorOfType<'mysql'>> = {
  prepare: (monitor, conditions) => {
    const options = {
      uri: mysqlUri(monitor.url),
      ...(monitor.password !== undefined ? { password: monitor.password } : {}),
    };
    return async (context) => {
      const start = performance.now();
      const result = await mysqlProbe(options, context);
      return datastoreOutcome(result, elapsedSince(start), conditions, context.now());
    };
  },
  target: (monitor) => shownConnectionUrl(monitor.url),
  host: (monitor) => urlHost(monitor.url),
  secrets: (monitor) => connectionSecrets(monitor.url, monitor.password),
};
