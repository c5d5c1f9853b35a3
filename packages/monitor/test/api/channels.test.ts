/**
 * /api/v1/channels: `vigil serve` in process with webhook channels whose URLs and headers hold secrets, and local
 * receivers — one that takes the message, one that answers 500 echoing what it got, one that never answers. The
 * list never shows a secret; a test message is delivered (200), refused (502, secrets masked) or given up at the
 * deadline (502), and is not written to the outbox.
 */
import http from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api/tokens.js';
import { type RunningMonitor, startMonitor } from '../../src/commands/serve.js';
import { channelSettings } from '../../src/notify/channels/index.js';
import { sendTestMessage } from '../../src/notify/test-message.js';
import { writeConfig } from '../service/harness.js';
import { tempDir } from '../support.js';

const PATH_SECRET = 's3cret-path-token-1234';
const HEADER_SECRET = 'hdr-secret-value-5678';
const QUERY_SECRET = 'query-secret-90ab';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

let dir: { dir: string; remove: () => Promise<void> };
let running: RunningMonitor;
let writeToken: string;
let readToken: string;
const servers: http.Server[] = [];
const received: Received[] = [];
let hookUrl = '';
let brokenUrl = '';
let hungUrl = '';

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Reads the request body, then answers with `answer`. */
const taking =
  (answer: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): http.RequestListener =>
  (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => answer(req, res, body));
  };

beforeAll(async () => {
  dir = await tempDir('api-channels');
  const hook = await listen(
    taking((req, res, body) => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
    }),
  );
  // Answers 500 with what it got: the URL (its path and query hold secrets) and the Authorization header.
  const broken = await listen(
    taking((req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`hook ${req.url} is broken (auth: ${req.headers.authorization})`);
    }),
  );
  const hung = await listen(() => undefined);
  hookUrl = `${hook}/hooks/${PATH_SECRET}`;
  brokenUrl = `${broken}/hooks/${PATH_SECRET}?key=${QUERY_SECRET}`;
  hungUrl = `${hung}/hooks/never`;
  const yaml = `alerts:
  send_timeout: 600ms
  channels:
    hook:
      type: webhook
      url: "${hookUrl}"
      headers: { Authorization: "Bearer ${HEADER_SECRET}" }
    broken:
      type: webhook
      url: "${brokenUrl}"
      headers: { Authorization: "Bearer ${HEADER_SECRET}" }
    hung: { type: webhook, url: "${hungUrl}" }
    team: { type: slack, url: "https://hooks.slack.com/services/T000/B000/${PATH_SECRET}" }
`;
  running = await startMonitor(
    { config: [await writeConfig(dir.dir, yaml)], port: '0', data: dir.dir, logFormat: 'json' },
    { env: {}, logDestination: { write: () => undefined } },
  );
  writeToken = (await createApiToken(running.store, 'ops', { scope: 'write' })).token;
  readToken = (await createApiToken(running.store, 'viewer', { scope: 'read' })).token;
});

afterAll(async () => {
  await running?.stop();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await dir.remove();
});

async function call(path: string, options: { method?: string; token?: string } = {}): Promise<{ status: number; text: string; body: any }> {
  const response = await fetch(`${running.url}${path}`, {
    method: options.method ?? 'GET',
    headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
  });
  const text = await response.text();
  return { status: response.status, text, body: text === '' ? undefined : JSON.parse(text) };
}

const test = (name: string, token = writeToken) => call(`/api/v1/channels/${encodeURIComponent(name)}/test`, { method: 'POST', token });

/** Nothing of a channel's settings that could be a secret: its URL, host and port, path, query, header. */
function expectNoSecret(text: string): void {
  for (const secret of [PATH_SECRET, HEADER_SECRET, QUERY_SECRET, hookUrl, brokenUrl, hungUrl, '127.0.0.1', 'hooks.slack.com', '/hooks/']) {
    expect(text).not.toContain(secret);
  }
}

describe('GET /api/v1/channels', () => {
  it('lists each channel by name and type, and nothing of its settings', async () => {
    const response = await call('/api/v1/channels', { token: readToken });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      channels: [
        { name: 'hook', type: 'webhook' },
        { name: 'broken', type: 'webhook' },
        { name: 'hung', type: 'webhook' },
        { name: 'team', type: 'slack' },
      ],
    });
    expectNoSecret(response.text);
  });

  it('needs a token', async () => {
    expect((await call('/api/v1/channels')).status).toBe(401);
  });
});

describe('POST /api/v1/channels/{name}/test', () => {
  it('sends the test message vigil notify test sends, and answers with the receiver’s status', async () => {
    const response = await test('hook');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ delivered: true, status: 200, duration_ms: expect.any(Number) });
    expect(response.body.duration_ms).toBeGreaterThanOrEqual(0);
    expect(received).toHaveLength(1);
    const [message] = received;
    expect(message?.path).toBe(`/hooks/${PATH_SECRET}`);
    expect(message?.headers.authorization).toBe(`Bearer ${HEADER_SECRET}`);
    expect(message?.headers['idempotency-key']).toMatch(/^test\/hook\/\d+$/);
    expect(message?.body).toMatchObject({ kind: 'test', severity: 'info', monitor: { id: 'vigil-test', name: 'Vigil test' } });
    // A test, not an alert: nothing in the outbox.
    expect(await running.store.notifications({ limit: 10 })).toEqual([]);
  });

  it('a receiver that answers 500: 502 delivery_failed with its answer, the channel’s secrets masked', async () => {
    const response = await test('broken');
    expect(response.status).toBe(502);
    expect(response.body.error.code).toBe('delivery_failed');
    expect(response.body.error.message).toMatch(/^the test message through "broken" was not delivered: the receiver answered HTTP 500: hook .* is broken \(auth: .*\)$/);
    expectNoSecret(response.text);
    expect(await running.store.notifications({ limit: 10 })).toEqual([]);
  });

  it('a receiver that never answers: 502 at the deadline (the alerts’ send_timeout), not a hung request', async () => {
    const started = Date.now();
    const response = await test('hung');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(response.status).toBe(502);
    expect(response.body.error).toEqual({
      code: 'delivery_failed',
      message: 'the test message through "hung" was not delivered: no answer within the time allowed (600 ms)',
    });
  });

  it('an unknown channel is 404 (an inherited property name too); a read token cannot send', async () => {
    for (const name of ['nope', 'toString', '__proto__']) {
      const response = await test(name);
      expect(response.status, name).toBe(404);
      expect(response.body.error.code, name).toBe('not_found');
    }
    expect((await test('hook', readToken)).status).toBe(403);
    expect((await call('/api/v1/channels/hook/test', { method: 'POST' })).status).toBe(401);
  });
});

describe('sendTestMessage', () => {
  it('holds its deadline whatever the notifier does with its signal, and never returns the channel’s password', async () => {
    // An SMTP server that accepts the connection and never says a word.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const started = Date.now();
      const { sent, durationMs } = await sendTestMessage(
        channelSettings.parse({ type: 'email', host: '127.0.0.1', port, from: 'vigil@example.com', to: ['ops@example.com'], username: 'mailer', password: 'smtp-password-1234' }),
        'mail',
        { timeoutMs: 300 },
      );
      expect(Date.now() - started).toBeLessThan(3000);
      expect(durationMs).toBeGreaterThanOrEqual(250);
      expect(sent.outcome).not.toBe('delivered');
      expect(JSON.stringify(sent)).not.toContain('smtp-password-1234');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
