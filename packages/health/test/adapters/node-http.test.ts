import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHandler } from '../../src/index.js';
import { APP_BODY, createTestHealth, describeHealthAdapter, listen, type StartedApp } from './shared.js';

describeHealthAdapter('node:http', async (health) => {
  const handler = nodeHandler(health);
  const server = createServer((req, res) =>
    handler(req, res, () => {
      res.statusCode = req.url === '/app' ? 200 : 404;
      res.end(req.url === '/app' ? APP_BODY : 'app 404');
    }),
  );
  return listen(server);
});

describe('node:http without next', () => {
  let app: StartedApp;
  beforeAll(async () => {
    app = await listen(createServer(nodeHandler(createTestHealth({ dbUp: true, cache: 'healthy' }))));
  });
  afterAll(() => app.close());

  it('is a complete request listener: health paths answered, anything else 404', async () => {
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    const res = await fetch(`${app.url}/other`);
    expect([res.status, await res.text()]).toEqual([404, 'not found\n']);
  });
});
