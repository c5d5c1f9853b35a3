import { createServer } from 'node:http';
import Koa from 'koa';
import { koaHealth } from '../../src/adapters/koa.js';
import { APP_BODY, describeHealthAdapter, listen } from './shared.js';

describeHealthAdapter('koa', async (health) => {
  const app = new Koa();
  app.use(koaHealth(health));
  app.use(async (ctx) => {
    if (ctx.path === '/app') ctx.body = APP_BODY;
  });
  return listen(createServer(app.callback()));
});
