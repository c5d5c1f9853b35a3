/** `dns`: a DNS query, its answers and its response code. */
import { z } from 'zod';
import { hostAndPort, text } from '../fields.js';
import { commonFields, monitorType, probeFields } from './base.js';

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SOA', 'SRV', 'PTR', 'CAA'] as const;
export const DNS_RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;

export const dnsMonitor = z
  .strictObject({
    type: monitorType('dns', 'A DNS query.'),
    ...commonFields,
    ...probeFields('dns'),
    query_name: text().describe(
      "The name to resolve, e.g. `example.com` (`name` is the monitor's display name, as for every type).",
    ),
    resolver: hostAndPort()
      .optional()
      .describe('DNS server as host or host:port (port 53 by default). Default: the system resolver.'),
    record_type: z.enum(DNS_RECORD_TYPES).default('A').describe('Record type to query.'),
    expected: z
      .array(text())
      .optional()
      .describe('Answers that must all be present, e.g. `["127.0.0.1"]`. Default: any answer.'),
    rcode: z
      .enum(DNS_RCODES)
      .optional()
      .describe(
        'Expected response code. Default: `NOERROR` — unless a condition tests `[DNS_RCODE]`, which then decides alone (as in Gatus).',
      ),
  })
  .describe('Queries a DNS record and checks the response code and, optionally, the answers.');
