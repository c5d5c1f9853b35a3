/**
 * Writes a long body made chunk by chunk (a /metrics scrape of 100,000 monitors is over a million lines), so that
 * neither memory nor the event loop is held by it: it waits for the socket when the socket is full, and yields a
 * turn of the event loop between chunks — a fast local scraper otherwise takes the whole body in one run of a
 * second or more without a timer firing, and the checks due meanwhile start late.
 */
import type { Writable } from 'node:stream';
import { nextTurn } from '../scheduler/clock.js';

/**
 * Resolves when the stream can take more (`drain`) or never will (`close`: a client that goes away never
 * drains). Both listeners go away with the first event: a scrape waits hundreds of times on one response.
 */
export function drainedOrClosed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** Writes the chunks as they are made; false when the stream was destroyed (the client went away) before the end. */
export async function writeChunks(stream: Writable, chunks: Iterable<string>): Promise<boolean> {
  for (const chunk of chunks) {
    if (stream.destroyed) return false;
    if (!stream.write(chunk)) await drainedOrClosed(stream);
    // A turn of the event loop after every chunk, drained or not: a socket that takes each chunk at once still says
    // it is full (a chunk is larger than its high-water mark) and drains within libuv's poll phase, so waiting for
    // `drain` alone never lets the timers run — the checks due during a scrape started after it.
    await nextTurn();
  }
  return !stream.destroyed;
}
