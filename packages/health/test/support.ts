import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Health, nodeHandler } from '../src/index.js';

/** Serves a Health on a real loopback server for the duration of a test. */
export async function serve(health: Health): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(nodeHandler(health));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Response JSON, loosely typed: tests assert on its shape. */
export const json = async (res: Response): Promise<any> => res.json();
