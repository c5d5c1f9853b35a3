/** `tcp` monitors: a connection to host:port, closed as soon as it is open. */
import { tcpProbe } from '@vigil/core';
import type { MonitorOfType } from '../config/index.js';
import { bareHost, elapsedSince, hostPort, toOutcome } from './outcome.js';
import type { MonitorKind } from './types.js';

export const tcp: MonitorKind<MonitorOfType<'tcp'>> = {
  probe: async (monitor, context) => {
    const start = performance.now();
    const result = await tcpProbe({ host: monitor.host, port: monitor.port }, context);
    return toOutcome(result, elapsedSince(start), monitor.conditions, context.now());
  },
  target: (monitor) => hostPort(monitor.host, monitor.port),
  host: (monitor) => bareHost(monitor.host),
  secrets: () => [],
};
