/**
 * The agent's buffer on disk (agent/buffer.ts): results come back in the order they went in, across segments and
 * across a restart; the oldest are dropped (and counted) beyond the bound; a line a kill cut short is skipped; one
 * agent per folder, and one location per folder.
 */
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HeldSegment, ResultBuffer } from '../../src/agent/buffer.js';

let dir: string;
const open: ResultBuffer[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-agent-buffer-'));
});

afterEach(async () => {
  for (const buffer of open.splice(0)) await buffer.close();
  await rm(dir, { recursive: true, force: true });
});

async function openBuffer(options: { maxBytes?: number; location?: string; onDrop?: (count: number) => void } = {}): Promise<ResultBuffer> {
  const buffer = await ResultBuffer.open({ dir, maxBytes: options.maxBytes ?? 1024 * 1024, location: options.location ?? 'eu-west', ...(options.onDrop ? { onDrop: options.onDrop } : {}) });
  open.push(buffer);
  return buffer;
}

const line = (n: number, pad = 0) => JSON.stringify({ monitor: 'm', n, pad: 'x'.repeat(pad) });

/** Everything left, as the sender takes it: segment after segment, each acknowledged once read. */
async function drain(buffer: ResultBuffer): Promise<number[]> {
  const seen: number[] = [];
  for (let segment: HeldSegment | undefined = await buffer.oldest(); segment !== undefined; segment = await buffer.oldest()) {
    seen.push(...segment.lines.map((text) => (JSON.parse(text) as { n: number }).n));
    await buffer.acknowledge(segment);
  }
  return seen;
}

describe('the agent buffer', () => {
  it('gives results back oldest first, the segment being sent sealed (newer results go to the next one)', async () => {
    const buffer = await openBuffer();
    await buffer.append([line(1), line(2)]);
    const held = await buffer.oldest();
    expect(held?.lines.map((text) => JSON.parse(text).n)).toEqual([1, 2]);
    await buffer.append([line(3)]);
    // Until acknowledged, the same segment again (with what was sent of it).
    held!.sent = 1;
    expect(await buffer.oldest()).toBe(held);
    await buffer.acknowledge(held!);
    expect(await drain(buffer)).toEqual([3]);
    expect((await readdir(dir)).filter((name) => name.endsWith('.jsonl'))).toEqual([]);
    expect(buffer.stats()).toEqual({ results: 0, bytes: 0, segments: 0 });
  });

  it('keeps what was not acknowledged for the next start, which finds it, in order', async () => {
    const first = await openBuffer();
    await first.append([line(1), line(2)]);
    await first.oldest();
    await first.append([line(3)]);
    await first.close();
    open.splice(0);
    const second = await openBuffer();
    expect(second.stats()).toMatchObject({ results: 3, segments: 2 });
    await second.append([line(4)]);
    expect(await drain(second)).toEqual([1, 2, 3, 4]);
  });

  it('drops the oldest results beyond its bound, and says how many', async () => {
    const dropped: number[] = [];
    // 64 KiB: segments of 8 KiB; each result about 1 KiB.
    const buffer = await openBuffer({ maxBytes: 64 * 1024, onDrop: (count) => dropped.push(count) });
    for (let n = 0; n < 200; n++) await buffer.append([line(n, 1000)]);
    const total = dropped.reduce((sum, count) => sum + count, 0);
    expect(total).toBeGreaterThan(100);
    expect(buffer.stats().bytes).toBeLessThanOrEqual(64 * 1024);
    const left = await drain(buffer);
    // The newest are kept, in order, and nothing else was lost.
    expect(left).toEqual(Array.from({ length: 200 - total }, (_, i) => total + i));
  });

  it('skips a line cut short by a kill while it was written', async () => {
    const first = await openBuffer();
    await first.append([line(1), line(2)]);
    await first.close();
    open.splice(0);
    const [segment] = (await readdir(dir)).filter((name) => name.endsWith('.jsonl'));
    await appendFile(path.join(dir, segment as string), '{"monitor":"m","n":3,"pa');
    const second = await openBuffer();
    const held = await second.oldest();
    expect(held?.lines.map((text) => JSON.parse(text).n)).toEqual([1, 2]);
    expect(held?.unreadable).toBe(1);
  });

  it('is used by one agent at a time, and keeps one location', async () => {
    await openBuffer();
    await expect(ResultBuffer.open({ dir, maxBytes: 1024 * 1024, location: 'eu-west' })).rejects.toThrow(
      /another vigil agent \(pid \d+\) uses the buffer folder/,
    );
    await open.splice(0)[0]?.close();
    const buffer = await openBuffer();
    await buffer.append([line(1)]);
    await buffer.close();
    open.splice(0);
    await expect(ResultBuffer.open({ dir, maxBytes: 1024 * 1024, location: 'us-east' })).rejects.toThrow(
      /holds results of location "eu-west" not sent yet: give this agent \(location "us-east"\) a buffer folder of its own/,
    );
  });
});
