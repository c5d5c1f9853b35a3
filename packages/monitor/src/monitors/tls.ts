/** `tls` monitors: a handshake; chain, host name and certificate expiry (thresholds 14 / 3 days by default). */
import { tlsProbe } from '@vigil/core';
import type { MonitorOfType } from '../config/index.js';
import { readCaFile } from './ca-file.js';
import { bareHost, elapsedSince, hostPort, toOutcome } from './outcome.js';
import type { MonitorKind } from './types.js';

export const tls: MonitorKind<MonitorOfType<'tls'>> = {
  prepare: (monitor, conditions) => {
    const options = {
      host: monitor.host,
      port: monitor.port,
      ...(monitor.server_name !== undefined ? { serverName: monitor.server_name } : {}),
      expiryDegradedDays: monitor.expiry_degraded_days,
      expiryUnhealthyDays: monitor.expiry_unhealthy_days,
    };
    return async (context) => {
      const start = performance.now();
      // Read at every check: a renewed CA file applies without a reload.
      const ca = await readCaFile(monitor.ca_file);
      const result = await tlsProbe(ca === undefined ? options : { ...options, ca }, context);
      return toOutcome(result, elapsedSince(start), conditions, context.now());
    };
  },
  target: (monitor) =>
    `${hostPort(monitor.host, monitor.port)}${monitor.server_name !== undefined ? ` (${monitor.server_name})` : ''}`,
  host: (monitor) => bareHost(monitor.host),
  secrets: () => [],
};
