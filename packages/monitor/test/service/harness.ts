/** Shared by the service tests: a target HTTP server whose answer the test controls, a config file, a poller. */
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface Target {
  url: string;
  /** The status the target answers with from now on. */
  status: number;
  requests: number;
  /** The paths requested, in order. */
  paths: string[];
  close(): Promise<void>;
}

export async function startTarget(initialStatus = 200): Promise<Target> {
  const target = { status: initialStatus, requests: 0, paths: [] as string[] } as Target;
  const server = http.createServer((req, res) => {
    target.requests++;
    target.paths.push(req.url ?? '');
    res.writeHead(target.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: target.status < 400 ? 'UP' : 'DOWN', path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return target;
}

export async function writeConfig(dir: string, yaml: string, name = 'vigil.yaml'): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, yaml);
  return file;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function getJson(url: string, token?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, body: await res.json() };
}
