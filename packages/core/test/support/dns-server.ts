import dgram from 'node:dgram';

/** What the test server knows about one name. */
export interface DnsZoneEntry {
  A?: string[];
  AAAA?: string[];
  /** Each record is a list of character-strings (a TXT record may be split in chunks). */
  TXT?: string[][];
  CNAME?: string[];
  MX?: Array<{ priority: number; exchange: string }>;
  /** Answer every query for this name with this response code and no records. */
  rcode?: 'SERVFAIL' | 'REFUSED' | 'NOTIMP' | 'FORMERR';
  /** Never answer queries for this name. */
  silent?: boolean;
}

export interface TestDnsServer {
  port: number;
  /** `127.0.0.1:<port>`, as a resolver option. */
  address: string;
  /** Queries received so far, as `TYPE name`. */
  queries: string[];
  close(): Promise<void>;
}

const TYPES: Record<number, string> = { 1: 'A', 5: 'CNAME', 15: 'MX', 16: 'TXT', 28: 'AAAA' };
const TYPE_CODES: Record<string, number> = { A: 1, CNAME: 5, MX: 15, TXT: 16, AAAA: 28 };
const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

function encodeName(name: string): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l.length > 0);
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0]),
  ]);
}

function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function rdata(type: string, entry: DnsZoneEntry): Buffer[] {
  switch (type) {
    case 'A':
      return (entry.A ?? []).map((ip) => Buffer.from(ip.split('.').map(Number)));
    case 'AAAA':
      return (entry.AAAA ?? []).map(ipv6Bytes);
    case 'TXT':
      return (entry.TXT ?? []).map((chunks) =>
        Buffer.concat(chunks.map((c) => Buffer.concat([Buffer.from([Buffer.byteLength(c)]), Buffer.from(c)]))),
      );
    case 'CNAME':
      return (entry.CNAME ?? []).map(encodeName);
    case 'MX':
      return (entry.MX ?? []).map((mx) => {
        const priority = Buffer.alloc(2);
        priority.writeUInt16BE(mx.priority);
        return Buffer.concat([priority, encodeName(mx.exchange)]);
      });
    default:
      return [];
  }
}

/** The question's name, type and where the question ends; undefined when the packet is malformed. */
function readQuestion(packet: Buffer): { name: string; type: number; end: number } | undefined {
  let offset = 12;
  const labels: string[] = [];
  while (offset < packet.length) {
    const length = packet[offset]!;
    offset++;
    if (length === 0) break;
    if (length > 63 || offset + length > packet.length) return undefined;
    labels.push(packet.toString('ascii', offset, offset + length));
    offset += length;
  }
  if (offset + 4 > packet.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: packet.readUInt16BE(offset), end: offset + 4 };
}

/**
 * A tiny authoritative DNS server on 127.0.0.1, a random UDP port: canned A, AAAA, TXT, CNAME and MX records;
 * an unknown name is NXDOMAIN, a known name without records of the asked type is NOERROR with no answers.
 */
export async function startDnsServer(zone: Record<string, DnsZoneEntry>): Promise<TestDnsServer> {
  const records = new Map(Object.entries(zone).map(([name, entry]) => [name.toLowerCase().replace(/\.$/, ''), entry]));
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (packet, remote) => {
    if (packet.length < 12) return;
    const question = readQuestion(packet);
    if (!question) return;
    const typeName = TYPES[question.type] ?? `TYPE${question.type}`;
    queries.push(`${typeName} ${question.name}`);
    const entry = records.get(question.name);
    if (entry?.silent) return;
    const rcode =
      entry === undefined ? RCODES.NXDOMAIN : entry.rcode !== undefined ? RCODES[entry.rcode] : RCODES.NOERROR;
    const answers =
      entry !== undefined && entry.rcode === undefined && TYPE_CODES[typeName] !== undefined
        ? rdata(typeName, entry)
        : [];

    const header = Buffer.alloc(12);
    packet.copy(header, 0, 0, 2); // id
    const queryFlags = packet.readUInt16BE(2);
    // QR, the query's opcode and RD, AA, RA, and the response code.
    header.writeUInt16BE(0x8000 | (queryFlags & 0x7800) | 0x0400 | (queryFlags & 0x0100) | 0x0080 | rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const answerRecords = answers.map((data) => {
      const fixed = Buffer.alloc(12);
      fixed.writeUInt16BE(0xc00c, 0); // pointer to the question's name
      fixed.writeUInt16BE(question.type, 2);
      fixed.writeUInt16BE(1, 4); // IN
      fixed.writeUInt32BE(60, 6); // TTL
      fixed.writeUInt16BE(data.length, 10);
      return Buffer.concat([fixed, data]);
    });
    socket.send(
      Buffer.concat([header, packet.subarray(12, question.end), ...answerRecords]),
      remote.port,
      remote.address,
    );
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A UDP port on 127.0.0.1 that nothing listens on. */
export async function unusedUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
