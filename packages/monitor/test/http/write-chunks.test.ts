/**
 * A long body written chunk by chunk (/metrics): the event loop gets a turn between chunks whether the socket
 * takes everything at once or drains after each chunk (a timer due meanwhile runs before the body ends), the
 * writer waits when the socket is full, and it stops when the client goes away.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeChunks } from '../../src/http/write-chunks.js';

/** A stream that records what it got and takes everything (or nothing, until drained, with `full`). */
function sink(options: { full?: boolean } = {}) {
  const got: string[] = [];
  const stream = new Writable({
    highWaterMark: options.full ? 1 : 1 << 30,
    write(chunk: Buffer, _encoding, callback) {
      got.push(chunk.toString());
      setTimeout(callback, 1);
    },
  });
  return { stream, got };
}

function* numbered(count: number, log: string[]): Generator<string> {
  for (let i = 0; i < count; i++) {
    log.push(`made ${i}`);
    yield `${i}\n`;
  }
}

/** Chunks made the way /metrics makes them: 1,000 sample lines each (about 70 KB), some CPU to build. */
function* metricLines(count: number, log: string[]): Generator<string> {
  for (let i = 0; i < count; i++) {
    log.push(`made ${i}`);
    const lines: string[] = [];
    for (let j = 0; j < 1000; j++) lines.push(`vigil_monitor_status{monitor="site-${i}-${j}",type="http",status="healthy"} 1`);
    yield `${lines.join('\n')}\n`;
  }
}

describe('writeChunks', () => {
  it('yields to the event loop between chunks when the stream never fills', async () => {
    const { stream, got } = sink();
    const log: string[] = [];
    const writing = writeChunks(stream, numbered(5, log));
    // Queued once the first chunk is made: with a turn between chunks it runs before the second one is made.
    setImmediate(() => log.push('other work'));
    expect(await writing).toBe(true);
    expect(log.indexOf('other work')).toBeGreaterThan(log.indexOf('made 0'));
    expect(log.indexOf('other work')).toBeLessThan(log.indexOf('made 4'));
    await new Promise((resolve) => stream.end(resolve));
    expect(got.join('')).toBe('0\n1\n2\n3\n4\n');
  });

  it('lets timers run between chunks on a real socket read by a fast client in another process', async () => {
    // Each 70 KB chunk is over the socket's high-water mark, so write() says "full" every time, and the socket drains
    // inside libuv's poll phase: waiting for drain alone never reached the timers (10 ms timers did not fire once
    // during a 120 ms body).
    const log: string[] = [];
    const server = http.createServer((_req, res) => {
      res.writeHead(200);
      setTimeout(() => log.push('timer'), 0);
      void writeChunks(res, metricLines(200, log)).then(() => res.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      // A raw socket read as fast as it comes (like curl, or Prometheus on the same machine).
      const client = spawn(process.execPath, [
        '-e',
        `const s = require('net').connect(${port}, '127.0.0.1', () => s.write('GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')); s.on('data', () => {});`,
      ]);
      await new Promise((resolve) => client.on('exit', resolve));
    } finally {
      server.close();
    }
    expect(log.filter((entry) => entry.startsWith('made')).length).toBe(200);
    expect(log.indexOf('timer')).toBeGreaterThan(-1);
    expect(log.indexOf('timer')).toBeLessThan(log.indexOf('made 199'));
  });

  it('waits for drain when the stream is full, and writes every chunk in order', async () => {
    const { stream, got } = sink({ full: true });
    expect(await writeChunks(stream, numbered(50, []))).toBe(true);
    await new Promise((resolve) => stream.end(resolve));
    expect(got.join('')).toBe(Array.from({ length: 50 }, (_, i) => `${i}\n`).join(''));
    expect(stream.listenerCount('drain')).toBe(0);
    expect(stream.listenerCount('close')).toBe(0);
  });

  it('stops making chunks once the stream is destroyed', async () => {
    const { stream } = sink({ full: true });
    const log: string[] = [];
    setTimeout(() => stream.destroy(), 5);
    expect(await writeChunks(stream, numbered(10_000, log))).toBe(false);
    expect(log.length).toBeLessThan(10_000);
  });
});
