/**
 * The address of the client behind a request. `X-Forwarded-For` can be written by anyone, so it is read only when the
 * request comes from a configured trusted proxy, and then from the right: the first address that is not itself a
 * trusted proxy is the client (addresses to its left were written by the client and prove nothing).
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export type TrustedProxies = (address: string) => boolean;

/** A matcher for `server.trusted_proxies` (addresses and CIDR ranges, already validated). */
export function trustedProxies(list: readonly string[]): TrustedProxies {
  if (list.length === 0) return () => false;
  const blocks = new BlockList();
  for (const entry of list) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) blocks.addAddress(address, family);
    else blocks.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    const plain = unmapped(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return blocks.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) is `127.0.0.1`. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string | undefined {
  const peer = req.socket.remoteAddress === undefined ? undefined : unmapped(req.socket.remoteAddress);
  if (peer === undefined || !trusted(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = unmapped(hops[index] ?? '');
    // Something that is not an address means the chain cannot be read further: the last proxy's peer is the answer.
    if (isIP(hop) === 0) return peer;
    if (!trusted(hop)) return hop;
  }
  return hops.length > 0 ? unmapped(hops[0] ?? peer) : peer;
}
