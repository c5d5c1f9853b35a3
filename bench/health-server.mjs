// A server for bench/health.mjs, run in its own process so the load generator does not share its event loop.
// Modes: `vigil` serves @vigil/health with three cached checks; `bare` serves fixed bytes from plain node:http.
import http from 'node:http';
import { createHealth, customCheck, nodeHandler } from '../packages/health/dist/index.js';

const mode = process.argv[2];
const checks = ['database', 'redis_cache', 'disk'].map((name) =>
  customCheck(name, () => ({ status: 'healthy', details: { latency_ms: 0.8 } }), { cacheTtlMs: 60_000 }),
);
const health = createHealth({ checks, service: { name: 'bench', version: '1.0.0' } });

let handler;
if (mode === 'vigil') {
  handler = nodeHandler(health);
} else if (mode === 'bare') {
  // The same bytes and headers /health sends, rendered once.
  const response = await health.handle({ method: 'GET', url: '/health', headers: {} });
  const body = Buffer.from(response.body);
  const headers = { ...response.headers, 'content-length': String(body.length) };
  handler = (_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  };
} else {
  console.error('usage: health-server.mjs vigil|bare');
  process.exit(2);
}
let requests = 0;
const server = http.createServer((req, res) => {
  requests++;
  handler(req, res);
});
server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
// The parent asks for this process's CPU time per request: unlike req/s, it does not depend on how fast the
// load generator on the other core happens to be.
let baseline = { cpu: process.cpuUsage(), requests: 0 };
process.on('SIGUSR1', () => {
  baseline = { cpu: process.cpuUsage(), requests };
});
process.on('SIGUSR2', () => {
  const cpu = process.cpuUsage(baseline.cpu);
  console.log(JSON.stringify({ cpuMicrosPerRequest: (cpu.user + cpu.system) / (requests - baseline.requests) }));
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
