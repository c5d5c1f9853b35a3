/**
 * Shared by the alerting tests of `vigil serve`: local HTTP servers (a target, a receiver) closed after each test,
 * and the server itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningMonitor, type ServeIo, startMonitor } from '../../src/commands/serve.js';
import { writeConfig } from '../service/harness.js';

export class LocalServers {
  private readonly servers: http.Server[] = [];

  /** Starts a server on a free port; its base URL. */
  async listen(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** A receiver that hands each request's path and JSON body to `take`, and answers 200. */
  receiver(take: (path: string, body: any) => void): Promise<string> {
    return this.listen((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        take(req.url ?? '', JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
  }

  async closeAll(): Promise<void> {
    for (const server of this.servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
}

/**
 * `vigil serve` in process with `yaml` written to `dir`, quiet, its dispatcher polling every 100 ms (retrying after
 * 200 ms unless `dispatcher` says otherwise): what each alerting test starts.
 */
export async function serveAlerting(dir: string, yaml: string, dispatcher: ServeIo['dispatcher'] = { pollMs: 100, baseBackoffMs: 200 }): Promise<RunningMonitor> {
  return startMonitor(
    { config: [await writeConfig(dir, yaml)], port: '0', data: dir, logFormat: 'json' },
    { env: {}, logDestination: { write: () => undefined }, ...(dispatcher ? { dispatcher } : {}) },
  );
}
