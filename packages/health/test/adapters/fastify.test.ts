import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { fastifyHealth } from '../../src/adapters/fastify.js';
import { APP_BODY, createTestHealth, describeHealthAdapter } from './shared.js';

// Fastify only routes GET/HEAD to the plugin, so other methods get its own 404.
describeHealthAdapter(
  'fastify',
  async (health) => {
    const app = Fastify();
    await app.register(fastifyHealth, { health });
    app.get('/app', async () => APP_BODY);
    return { url: await app.listen({ host: '127.0.0.1', port: 0 }), close: () => app.close() };
  },
  { otherMethodStatus: 404 },
);

describeHealthAdapter(
  'fastify in a prefixed scope, HEAD routes off app-wide',
  async (health) => {
    const app = Fastify({ exposeHeadRoutes: false });
    await app.register(
      async (scope) => {
        await scope.register(fastifyHealth, { health });
        scope.get('/app', async () => APP_BODY);
      },
      { prefix: '/ops' },
    );
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { url: `${url}/ops`, close: () => app.close() };
  },
  { otherMethodStatus: 404 },
);

describe('fastify plugin', () => {
  it('is not encapsulated: routes registered from a child plugin are visible on the app', async () => {
    const app = Fastify();
    await app.register(async (child) => {
      await child.register(fastifyHealth, { health: createTestHealth({ dbUp: true, cache: 'healthy' }) });
    });
    await app.ready();
    expect(app.hasRoute({ method: 'GET', url: '/readyz/:name' })).toBe(true);
    const res = await app.inject({ method: 'GET', url: '/readyz/queue' });
    expect([res.statusCode, res.body]).toEqual([200, 'ok\n']);
    await app.close();
  });

  it('registers the custom paths it is given', async () => {
    const paths = { health: '/status', livez: false, readyz: '/ready' } as const;
    const app = Fastify();
    await app.register(fastifyHealth, { health: createTestHealth({ dbUp: true, cache: 'healthy' }), paths });
    await app.ready();
    expect(app.hasRoute({ method: 'GET', url: '/status' })).toBe(true);
    expect(app.hasRoute({ method: 'GET', url: '/livez' })).toBe(false);
    expect(app.hasRoute({ method: 'GET', url: '/ready/:name' })).toBe(true);
    await app.close();
  });
});
