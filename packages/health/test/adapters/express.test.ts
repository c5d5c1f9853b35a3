import { createServer } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expressHealth } from '../../src/adapters/express.js';
import { APP_BODY, createTestHealth, describeHealthAdapter, listen, type StartedApp } from './shared.js';

describeHealthAdapter('express', async (health) => {
  const app = express();
  app.use(expressHealth(health));
  app.get('/app', (_req, res) => {
    res.send(APP_BODY);
  });
  return listen(createServer(app));
});

// Express strips the mount path from req.url, so the same middleware serves /ops/health.
describeHealthAdapter('express mounted under /ops', async (health) => {
  const app = express();
  app.use('/ops', expressHealth(health));
  app.get('/ops/app', (_req, res) => {
    res.send(APP_BODY);
  });
  return listen(createServer(app), '/ops');
});

describe('express mount point', () => {
  let app: StartedApp;
  beforeAll(async () => {
    const server = express();
    server.use('/ops', expressHealth(createTestHealth({ dbUp: true, cache: 'healthy' })));
    app = await listen(createServer(server));
  });
  afterAll(() => app.close());

  it('serves health paths only below the mount path', async () => {
    expect((await fetch(`${app.url}/ops/health`)).status).toBe(200);
    expect((await fetch(`${app.url}/health`)).status).toBe(404);
  });
});
