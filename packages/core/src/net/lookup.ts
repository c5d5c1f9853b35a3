/** Name resolution for the network probes: a timed DNS lookup and host names as sockets want them. */
import dns from 'node:dns';
import type net from 'node:net';
import { since } from '../drivers.js';

/**
 * A DNS lookup for net/http/tls that reports how long it took. Node skips it for IP addresses (no DNS phase).
 */
export function timedLookup(onDone: (ms: number) => void): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    const start = performance.now();
    dns.lookup(hostname, options, (error, address, family) => {
      onDone(since(start));
      callback(error, address, family);
    });
  }) as net.LookupFunction;
}

/** `[::1]` → `::1`: URL host names keep the brackets, sockets do not want them. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
