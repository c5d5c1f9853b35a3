/**
 * A long body written chunk by chunk (/metrics): the event loop gets a turn between chunks even when the socket
 * takes everything at once (a timer due meanwhile runs before the body ends), the writer waits when the socket is
 * full, and it stops when the client goes away.
 */
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
