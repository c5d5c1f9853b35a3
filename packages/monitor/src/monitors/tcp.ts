/** `tcp` monitors: a connection to host:port, closed as soon as it is open. */
import { tcpProbe } from '@vigil/core';
import type { MonitorOfType } from '../config/index.js';
import { bareHost, elapsedSince, hostPort, toOutcome } from './outcome.js';
import type { MonitorKind } from './types.js';

export const tcp: MonitorKind<MonitorOfType<'tcp'>> = {
  prepare: (monitor, conditions) => {
    const options = { host: monitor.host, port: monitor.port };
    return async (context) => {
      const start = performance.now();
      const result = await tcpProbe(options, context);
      return toOutcome(result, elapsedSince(start), conditions, context.now());
    };
  },
  target: (monitor) => hostPort(monitor.host, monitor.port),
  host: (monitor) => bareHost(monitor.host),
  secrets: () => [],
};
