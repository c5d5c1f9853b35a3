import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';

/** Resolves when the promise does, rejects with "still open" after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what = 'still open'): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(what)), ms).unref()),
  ]);
}

export interface DripServer {
  port: number;
  /** One promise per accepted connection, resolved when the server sees that connection close. */
  closed: Array<Promise<void>>;
  close(): Promise<void>;
}

/**
 * A server that answers an HTTP request one byte per second: from the status line (`phase: 'headers'`), or with
 * the headers at once and then the body (`phase: 'body'`, a Content-Length of 1000 it never reaches).
 */
export async function startDripServer(phase: 'headers' | 'body', intervalMs = 1000): Promise<DripServer> {
  const closed: Array<Promise<void>> = [];
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    let started = false;
    let request = '';
    socket.on('data', (chunk: Buffer) => {
      request += chunk.toString('latin1');
      if (started || !request.includes('\r\n\r\n')) return;
      started = true;
      const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n';
      let pending = phase === 'headers' ? head + 'x'.repeat(1000) : 'x'.repeat(1000);
      if (phase === 'body') socket.write(head);
      const timer = setInterval(() => {
        if (socket.destroyed || pending.length === 0) {
          clearInterval(timer);
          timers.delete(timer);
          return;
        }
        socket.write(pending[0]!);
        pending = pending.slice(1);
      }, intervalMs);
      timers.add(timer);
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    closed,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface BigBodyServer {
  port: number;
  /** Bytes written to sockets so far (what left the server, not what the client read). */
  bytesSent(): number;
  /** One promise per response, resolved when its connection closes. */
  closed: Array<Promise<void>>;
  close(): Promise<void>;
}

/**
 * An HTTP server whose response declares and streams `size` bytes (1 GiB by default), written in 64 KiB chunks
 * as fast as the client reads (backpressure respected), so the server never holds more than a chunk.
 */
export async function startBigBodyServer(size = 1024 ** 3): Promise<BigBodyServer> {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  const closed: Array<Promise<void>> = [];
  const server = http.createServer((req, res) => {
    closed.push(new Promise((resolve) => res.once('close', () => resolve())));
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(size) });
    let left = size;
    const pump = async () => {
      while (left > 0 && !res.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        sent += piece.length;
        if (!res.write(piece)) {
          await Promise.race([once(res, 'drain'), once(res, 'close')]);
        }
      }
      if (!res.destroyed) res.end();
    };
    pump().catch(() => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    bytesSent: () => sent,
    closed,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface BlackholePort {
  port: number;
  close(): Promise<void>;
}

/**
 * A port where a TCP connect hangs: a child process listens with a backlog of 1 and then blocks its event loop,
 * so it never accepts; once filler connections have filled the accept queue, the kernel drops further SYNs and
 * the next connect neither succeeds nor fails (like a firewalled host).
 */
export async function startBlackholePort(): Promise<BlackholePort> {
  const script = `
    const net = require('node:net');
    const server = net.createServer();
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(server.address().port + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const port = await within(
    new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      child.once('error', reject);
    }),
    10_000,
    'the listening child process did not start',
  );
  const fillers: net.Socket[] = [];
  // Fill the accept queue: connect until one connection does not complete.
  for (let i = 0; i < 16; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    fillers.push(socket);
    const connected = await within(
      once(socket, 'connect').then(() => true),
      500,
    ).catch(() => false);
    if (!connected) break;
  }
  return {
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Resident set size in bytes. */
export function rss(): number {
  return process.memoryUsage().rss;
}
