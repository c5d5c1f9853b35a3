// The baseline of bench/status-page.mjs in its own process: the front page `vigil serve` had before the status pages
// (bench/home-page.mjs), served at `/` by a bare node:http server as the old server did — rendered on every request
// from the monitors' views, `no-store`, uncompressed. The views (the same monitors as the Vigil server's, no
// history: the old page had none) come as a JSON file; prints its port.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { renderHomePage } from './home-page.mjs';

const { monitors, latencies } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const latest = new Map(monitors.map((view, i) => [view.id, { status: view.state === 'unhealthy' ? 'unhealthy' : 'healthy', latencyMs: latencies[i] }]));
const headers = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
  'x-content-type-options': 'nosniff',
};

const server = http.createServer((req, res) => {
  if ((req.url ?? '/').split('?')[0] !== '/' || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
    return;
  }
  const body = renderHomePage({ monitors, latest: (id) => latest.get(id), now: Date.now() });
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
});
server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
