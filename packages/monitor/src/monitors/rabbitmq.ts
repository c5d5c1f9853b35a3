/**
 * `rabbitmq` monitors: a fresh AMQP connection, a channel, a publish/get round trip through a temporary queue of
 * the probe's own, and, when `queue` is set, a passive check that the queue exists; closed after (also on timeout).
 */
import { rabbitmqProbe } from '@vigil/core';
import type { MonitorOfType } from '../config/index.js';
import { connectionSecrets, datastoreOutcome, elapsedSince, shownConnectionUrl, urlHost } from './outcome.js';
import type { MonitorKind } from './types.js';

export const rabbitmq: MonitorKind<MonitorOfType<'rabbitmq'>> = {
  prepare: (monitor, conditions) => {
    const options = {
      url: monitor.url,
      ...(monitor.password !== undefined ? { password: monitor.password } : {}),
      roundTrip: true,
      // The configuration promises existence only; waiting messages without a consumer are not judged.
      queues: monitor.queue !== undefined ? [{ name: monitor.queue, requireConsumers: false }] : [],
    };
    return async (context) => {
      const start = performance.now();
      const result = await rabbitmqProbe(options, context);
      return datastoreOutcome(result, elapsedSince(start), conditions, context.now());
    };
  },
  target: (monitor) => shownConnectionUrl(monitor.url),
  host: (monitor) => urlHost(monitor.url),
  secrets: (monitor) => connectionSecrets(monitor.url, monitor.password),
};
