/** `dns` monitors: one query, its response code and (optionally) its answers. */
import { conditionsRead, dnsProbe } from '@vigil/core';
import type { MonitorOfType } from '../config/index.js';
import { bareHost, elapsedSince, toOutcome } from './outcome.js';
import type { MonitorKind } from './types.js';

/** `10.0.0.2:5353` → `10.0.0.2`, `[::1]:53` → `::1`. */
function resolverHost(resolver: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(resolver);
  if (bracketed) return bareHost(bracketed[1]!);
  // One colon is host:port; more is a bare IPv6 address.
  const colons = resolver.split(':').length - 1;
  return bareHost(colons === 1 ? resolver.slice(0, resolver.indexOf(':')) : resolver);
}

export const dns: MonitorKind<MonitorOfType<'dns'>> = {
  prepare: (monitor, conditions) => {
    const options = {
      queryName: monitor.query_name,
      recordType: monitor.record_type,
      rcode: monitor.rcode ?? (conditionsRead(conditions, 'DNS_RCODE') ? ('any' as const) : ('NOERROR' as const)),
      ...(monitor.resolver !== undefined ? { resolver: monitor.resolver } : {}),
      ...(monitor.expected !== undefined ? { expected: monitor.expected } : {}),
    };
    return async (context) => {
      const start = performance.now();
      const result = await dnsProbe(options, context);
      return toOutcome(result, elapsedSince(start), conditions, context.now());
    };
  },
  target: (monitor) =>
    `${monitor.record_type} ${monitor.query_name} @${monitor.resolver ?? 'system resolver'}`,
  // The queries go to the resolver; with the system's, no one host is loaded by them.
  host: (monitor) => (monitor.resolver !== undefined ? resolverHost(monitor.resolver) : undefined),
  secrets: () => [],
};
