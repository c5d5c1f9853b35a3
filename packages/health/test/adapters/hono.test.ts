import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { honoHealth } from '../../src/adapters/hono.js';
import { APP_BODY, closeServer, describeHealthAdapter, origin } from './shared.js';

describeHealthAdapter('hono on @hono/node-server', async (health) => {
  const app = new Hono();
  app.use(honoHealth(health));
  app.get('/app', (c) => c.text(APP_BODY));
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  return { url: origin(server), close: () => closeServer(server) };
});
