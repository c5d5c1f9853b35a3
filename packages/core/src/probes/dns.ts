/**
 * `dns`: one query to a resolver (node:dns, c-ares underneath): the response code and, optionally, the answers.
 * Node reports response codes as error codes; they are mapped back (ENOTFOUND → NXDOMAIN, ENODATA → NOERROR
 * with no answers, ESERVFAIL → SERVFAIL, EREFUSED → REFUSED…).
 */
import dns from 'node:dns';
import net from 'node:net';
import { type Check, type CheckOptions, defineCheck } from '../check.js';
import { applyConditions, type Condition, conditionsRead, parseConditions } from '../conditions/index.js';
import { onAbort, since } from '../drivers.js';
import { errorMessage, type Probe, type ProbeContext, type ProbeFacts, type ProbeResult } from '../probe.js';
import { backstopDelay, failureCause } from '../net/deadline.js';

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SOA', 'SRV', 'PTR', 'CAA'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];
export const DNS_RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;
export type DnsRcode = (typeof DNS_RCODES)[number];

export interface DnsProbeOptions {
  /** The name to resolve, e.g. `example.com`. For PTR an IP address is turned into its `in-addr.arpa` name. */
  queryName: string;
  /** Default `A`. */
  recordType?: DnsRecordType;
  /** The DNS server, `host` or `host:port` (`[::1]:53` for IPv6), port 53 by default. Default: the system's. */
  resolver?: string;
  /**
   * Answers that must all be present (compared as sets: order and extra answers do not matter; names compare
   * without case and trailing dot). Formats: `A`/`AAAA` the address, `MX` `10 mail.example.com`, `SRV`
   * `priority weight port target`, `SOA` `ns hostmaster serial refresh retry expire minimum`,
   * `CAA` `0 issue "letsencrypt.org"`, TXT the joined strings.
   */
  expected?: readonly string[];
  /**
   * The response code that counts as up, or `any` to leave it to conditions. Default `NOERROR` — unless a condition
   * tests `[DNS_RCODE]`: then that condition decides.
   */
  rcode?: DnsRcode | 'any';
  /** Gatus conditions that must all hold, e.g. `[DNS_RCODE] == NOERROR`, `[BODY] == 127.0.0.1`. */
  conditions?: ReadonlyArray<string | Condition>;
}

export interface DnsCheckOptions extends DnsProbeOptions, CheckOptions {}

/** Node's error codes for DNS response codes. */
const RCODE_OF_ERROR: Record<string, DnsRcode> = {
  ENOTFOUND: 'NXDOMAIN',
  ENODATA: 'NOERROR',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  EFORMERR: 'FORMERR',
  ENOTIMP: 'NOTIMP',
};

interface PreparedDns {
  queryName: string;
  recordType: DnsRecordType;
  resolver?: { host: string; port: number; shown: string };
  expected?: string[];
  rcode: DnsRcode | 'any';
  conditions: Condition[];
}

function parseResolver(text: string): { host: string; port: number; shown: string } {
  const value = text.trim();
  let host: string;
  let port = 53;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const withPort = /^([^:]+):(\d+)$/.exec(value);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (withPort) {
    host = withPort[1]!;
    port = Number(withPort[2]);
  } else {
    host = value;
  }
  if (host.length === 0 || !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new TypeError(`dns: resolver "${text}" is not host or host:port`);
  }
  return { host, port, shown: `${net.isIPv6(host) ? `[${host}]` : host}:${port}` };
}

/** `127.0.0.1` → `1.0.0.127.in-addr.arpa`; IPv6 to `ip6.arpa` nibbles. */
export function reverseName(ip: string): string {
  if (net.isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const [head = '', tail = ''] = ip.split('::');
  const groups = (s: string) => (s.length > 0 ? s.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const full = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  const nibbles = full.map((g) => g.padStart(4, '0')).join('');
  return `${[...nibbles].reverse().join('.')}.ip6.arpa`;
}

function prepare(options: DnsProbeOptions): PreparedDns {
  if (typeof options.queryName !== 'string' || options.queryName.trim().length === 0) {
    throw new TypeError('dns: queryName is required');
  }
  const recordType = options.recordType ?? 'A';
  if (!DNS_RECORD_TYPES.includes(recordType)) {
    throw new TypeError(`dns: recordType must be one of ${DNS_RECORD_TYPES.join(', ')}`);
  }
  const conditions = parseConditions(options.conditions);
  const rcode = options.rcode ?? (conditionsRead(conditions, 'DNS_RCODE') ? 'any' : 'NOERROR');
  if (rcode !== 'any' && !DNS_RCODES.includes(rcode)) {
    throw new TypeError(`dns: rcode must be one of ${DNS_RCODES.join(', ')} or any`);
  }
  let queryName = options.queryName.trim();
  if (recordType === 'PTR' && net.isIP(queryName) !== 0) queryName = reverseName(queryName);
  return {
    queryName,
    recordType,
    ...(options.resolver !== undefined ? { resolver: parseResolver(options.resolver) } : {}),
    ...(options.expected !== undefined ? { expected: [...options.expected] } : {}),
    rcode,
    conditions,
  };
}

/** Answers as text, in the formats `expected` uses. */
async function query(resolver: dns.promises.Resolver, name: string, type: DnsRecordType): Promise<string[]> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'CNAME':
      return resolver.resolveCname(name);
    case 'NS':
      return resolver.resolveNs(name);
    case 'PTR':
      return resolver.resolvePtr(name);
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    case 'MX':
      return (await resolver.resolveMx(name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'SRV':
      return (await resolver.resolveSrv(name)).map((srv) => `${srv.priority} ${srv.weight} ${srv.port} ${srv.name}`);
    case 'SOA': {
      const soa = await resolver.resolveSoa(name);
      return [`${soa.nsname} ${soa.hostmaster} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minttl}`];
    }
    case 'CAA':
      return (await resolver.resolveCaa(name)).map((caa) => {
        const { critical, ...rest } = caa;
        const [tag = 'issue', value = ''] = Object.entries(rest).find(([, v]) => typeof v === 'string') ?? [];
        return `${critical} ${tag} "${String(value)}"`;
      });
  }
}

/** Names compare without case and trailing dot; TXT and CAA values as they are. */
function normalize(answer: string, type: DnsRecordType): string {
  const trimmed = answer.trim();
  if (type === 'TXT' || type === 'CAA') return trimmed;
  // `::1` and `0:0:0:0:0:0:0:1` are one address: compare their full nibble form.
  if (type === 'AAAA' && net.isIPv6(trimmed) && !trimmed.includes('.')) return reverseName(trimmed.toLowerCase());
  return trimmed.toLowerCase().replace(/\.(?=\s|$)/g, '');
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

async function run(prepared: PreparedDns, context: ProbeContext): Promise<ProbeResult> {
  const start = performance.now();
  const shownResolver = prepared.resolver?.shown ?? 'the system resolver';
  const what = `${prepared.recordType} ${prepared.queryName}`;
  const details: Record<string, unknown> = {
    query: prepared.queryName,
    type: prepared.recordType,
    resolver: shownResolver,
  };
  // c-ares gives up a little after the deadline: runProbe's abort (which cancels the query) comes first.
  const timeout = backstopDelay(context.deadline);
  const resolver = new dns.promises.Resolver({ timeout, tries: 1 });
  const stopListening = onAbort(context.signal, () => resolver.cancel());

  let answers: string[] = [];
  let rcode: DnsRcode | undefined;
  let failure: string | undefined;
  try {
    if (prepared.resolver) {
      let host = prepared.resolver.host;
      // setServers takes addresses only: a resolver given by name is looked up first.
      if (net.isIP(host) === 0) host = (await dns.promises.lookup(host)).address;
      resolver.setServers([
        net.isIPv6(host) ? `[${host}]:${prepared.resolver.port}` : `${host}:${prepared.resolver.port}`,
      ]);
    }
    context.signal.throwIfAborted();
    answers = await query(resolver, prepared.queryName, prepared.recordType);
    rcode = 'NOERROR';
  } catch (error) {
    const code = codeOf(error);
    if (code !== undefined && RCODE_OF_ERROR[code] !== undefined) {
      rcode = RCODE_OF_ERROR[code];
    } else if (code === 'ETIMEOUT') {
      failure = `no answer from ${shownResolver} for ${what} within ${timeout} ms`;
    } else if (context.signal.aborted) {
      failure = `query ${what} to ${shownResolver} failed: ${errorMessage(failureCause(error, context.signal))}`;
    } else if (code === 'ECANCELLED') {
      failure = `query ${what} was cancelled`;
    } else if (code === 'ECONNREFUSED') {
      failure = `query ${what} to ${shownResolver} failed: ECONNREFUSED (no DNS server listens there)`;
    } else {
      failure = `query ${what} to ${shownResolver} failed: ${errorMessage(error)}`;
    }
  } finally {
    stopListening();
  }
  const latencyMs = since(start);
  details.latency_ms = latencyMs;

  let result: ProbeResult;
  if (rcode === undefined) {
    result = {
      status: 'unhealthy',
      details,
      error: failure ?? `query ${what} failed`,
      facts: { connected: false, timings: { dns: latencyMs } },
    };
  } else {
    details.rcode = rcode;
    details.answers = answers;
    const facts: ProbeFacts = {
      connected: true,
      dnsRcode: rcode,
      dnsAnswers: answers,
      timings: { dns: latencyMs },
      // As in Gatus, `[BODY]` is the answer (the first one, when there are several).
      ...(answers[0] !== undefined ? { body: answers[0] } : {}),
      ...((prepared.recordType === 'A' || prepared.recordType === 'AAAA') && answers[0] !== undefined
        ? { ip: answers[0] }
        : {}),
    };
    const problems: string[] = [];
    if (prepared.rcode !== 'any' && rcode !== prepared.rcode) {
      problems.push(`${what} answered ${rcode} (expected ${prepared.rcode})`);
    }
    if (prepared.expected !== undefined && rcode === 'NOERROR') {
      const got = new Set(answers.map((a) => normalize(a, prepared.recordType)));
      const missing = prepared.expected.filter((e) => !got.has(normalize(e, prepared.recordType)));
      if (missing.length > 0) {
        const shown =
          answers.length > 0 ? answers.slice(0, 10).join(', ') + (answers.length > 10 ? ', …' : '') : 'none';
        problems.push(
          `${what} is missing expected answer${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (answers: ${shown})`,
        );
      }
    }
    result = {
      status: problems.length > 0 ? 'unhealthy' : 'healthy',
      details,
      measurements: [{ measurement: 'responseTime', value: latencyMs, unit: 'ms' }],
      facts,
      ...(problems.length > 0 ? { error: problems.join('; ') } : {}),
    };
  }
  return applyConditions(result, prepared.conditions, latencyMs, context.now?.());
}

/** A DNS query: the response code and, when given, the expected answers. */
export const dnsProbe: Probe<DnsProbeOptions> = (options, context) => run(prepare(options), context);

/** A name resolves as expected. Default name `dns`. */
export function dnsCheck(options: DnsCheckOptions): Check {
  const prepared = prepare(options);
  return defineCheck({ kind: 'dns', componentType: 'system' }, options, (context) => run(prepared, context));
}
