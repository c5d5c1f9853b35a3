/**
 * The demo behind `npm start`: a tiny app that serves @vigil/health on 127.0.0.1, checking the local
 * PostgreSQL, Redis and disk, with Prometheus metrics and graceful shutdown. Everything is configurable through
 * the environment.
 */
import http from 'node:http';
import {
  createHealth,
  customCheck,
  diskCheck,
  eventLoopCheck,
  installGracefulShutdown,
  memoryCheck,
  nodeHandler,
  postgresCheck,
  redactUrl,
  redisCheck,
} from '@vigil/health';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8080);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const token = process.env.VIGIL_HEALTH_TOKEN ?? 'demo-token';
const startedAt = Date.now();

const health = createHealth({
  service: { name: 'vigil-demo', version: '0.1.0', description: 'Vigil demo app', versions: { node: process.version } },
  token,
  metrics: { errorKinds: ['not_found'] },
  checks: [
    postgresCheck({ name: 'database', connectionString: databaseUrl, degradedAboveMs: 200 }),
    redisCheck({ name: 'redis_cache', url: redisUrl }),
    diskCheck({ path: process.cwd() }),
    memoryCheck(),
    eventLoopCheck({ critical: false }),
    customCheck(
      'uptime',
      () => ({ status: 'healthy', details: { uptime_s: Math.round((Date.now() - startedAt) / 1000) } }),
      {
        critical: false,
      },
    ),
  ],
});

// A business gauge read at scrape time (a real app would count documents or sum today's sales here).
health.metrics.gauge({
  name: 'demo_checks_configured',
  help: 'Checks this demo declares.',
  collect: () => health.checks.length,
});

const handleHealth = nodeHandler(health);
const server = http.createServer((req, res) =>
  handleHealth(req, res, () => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><title>Vigil demo</title><h1>Vigil demo</h1><ul>${['/health', '/livez', '/readyz?verbose']
          .concat('/metrics')
          .map((p) => `<li><a href="${p}">${p}</a></li>`)
          .join('')}</ul>`,
      );
      return;
    }
    health.metrics.countError('not_found'); // vigil_errors_total{kind="not_found"}
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
  }),
);

installGracefulShutdown({ health, server, delayMs: Number(process.env.SHUTDOWN_DELAY_MS ?? 1000) });

server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EADDRINUSE'
      ? `port ${port} on ${host} is already in use: set PORT to a free port, e.g. PORT=8081 npm start`
      : `cannot listen on ${host}:${port}: ${error.message}`,
  );
  process.exit(1);
});

server.listen(port, host, () => {
  const base = `http://${host}:${port}`;
  console.log(`Vigil demo serving @vigil/health on ${base}`);
  console.log(`  checking PostgreSQL ${redactUrl(databaseUrl)}, Redis ${redactUrl(redisUrl)}, disk ${process.cwd()}`);
  console.log(`  ${base}/health                      JSON, 503 when unhealthy`);
  console.log(`  ${base}/health   (Accept: application/health+json)`);
  console.log(`  ${base}/livez                       liveness`);
  console.log(`  ${base}/readyz?verbose              readiness, one line per check`);
  console.log(`  ${base}/metrics                     Prometheus text (OpenMetrics on request)`);
  // A token from the environment is a secret and is never printed; the built-in demo token is not.
  const shown = process.env.VIGIL_HEALTH_TOKEN ? '$VIGIL_HEALTH_TOKEN' : token;
  console.log(`  details: curl -H "Authorization: Bearer ${shown}" ${base}/health`);
  console.log('Ctrl-C stops it gracefully.');
});
