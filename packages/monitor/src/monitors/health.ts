/** `health` monitors: an http monitor whose answer is read as a health endpoint, component by component. */
import { healthEndpointProbe } from '@vigil/core';
import type { MonitorOfType } from '../config/index.js';
import { httpCheckOptions, httpSecrets } from './http.js';
import { elapsedSince, shownUrl, toOutcome, urlHost } from './outcome.js';
import type { MonitorKind } from './types.js';

export const health: MonitorKind<MonitorOfType<'health'>> = {
  probe: async (monitor, context) => {
    const start = performance.now();
    const result = await healthEndpointProbe({ ...(await httpCheckOptions(monitor)), format: monitor.format }, context);
    return toOutcome(result, elapsedSince(start), monitor.conditions, context.now());
  },
  target: (monitor) => `${monitor.method} ${shownUrl(monitor.url)}`,
  host: (monitor) => urlHost(monitor.url),
  secrets: httpSecrets,
};
