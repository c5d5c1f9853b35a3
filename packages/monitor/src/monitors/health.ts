/** `health` monitors: an http monitor whose answer is read as a health endpoint, component by component. */
import { prepareHealthEndpoint, runHealthEndpoint } from '@vigil/core';
import type { MonitorOfType } from '../config/index.js';
import { httpProbeOptions, httpSecrets, withCaFile } from './http.js';
import { elapsedSince, shownUrl, toOutcome, urlHost } from './outcome.js';
import type { MonitorKind } from './types.js';

export const health: MonitorKind<MonitorOfType<'health'>> = {
  prepare: (monitor, conditions) => {
    const prepared = prepareHealthEndpoint({ ...httpProbeOptions(monitor, conditions), format: monitor.format });
    return async (context) => {
      const start = performance.now();
      const http = await withCaFile(prepared.http, monitor.tls.ca_file);
      const result = await runHealthEndpoint(http === prepared.http ? prepared : { ...prepared, http }, context);
      return toOutcome(result, elapsedSince(start), conditions, context.now());
    };
  },
  target: (monitor) => `${monitor.method} ${shownUrl(monitor.url)}`,
  host: (monitor) => urlHost(monitor.url),
  secrets: httpSecrets,
};
