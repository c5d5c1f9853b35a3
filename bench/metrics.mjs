// Question: how long does a /metrics scrape of @vigil/health take for an app with 20 checks and 50 queues,
// against a bare prom-client registry holding the same series?
// Run: npm run bench:metrics   (builds first; about half a minute)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';

const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function startServer(mode) {
  const child = spawn(process.execPath, [new URL('./metrics-server.mjs', import.meta.url).pathname, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = await once(child.stdout, 'data');
  return { port: Number(String(chunk).trim()), stop: () => child.kill('SIGTERM') };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function scrape(port) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    http
      .get({ host: '127.0.0.1', port, path: '/metrics', agent }, (res) => {
        let bytes = 0;
        res.on('data', (d) => {
          bytes += d.length;
        });
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, bytes });
        });
      })
      .on('error', reject);
  });
}

async function measure(mode) {
  const server = await startServer(mode);
  try {
    for (let i = 0; i < 50; i++) await scrape(server.port); // warm-up: JIT, caches, sockets
    const times = [];
    let bytes = 0;
    for (let i = 0; i < SCRAPES; i++) {
      const r = await scrape(server.port);
      times.push(r.ms);
      bytes = r.bytes;
    }
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(times.length / 2)], p99: times[Math.floor(times.length * 0.99)], bytes };
  } finally {
    server.stop();
  }
}

const results = { vigil: [], bare: [] };
for (let round = 0; round < ROUNDS; round++) {
  results.bare.push(await measure('bare'));
  results.vigil.push(await measure('vigil'));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (rs) => ({ p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), bytes: rs[0].bytes });
const v = summary(results.vigil);
const b = summary(results.bare);
console.log(`${SCRAPES} sequential scrapes × ${ROUNDS} rounds (medians), 20 checks + 50 queues (400 queue series), separate server processes`);
console.log(`                        p50 ms   p99 ms   bytes`);
console.log(`bare prom-client     ${b.p50.toFixed(3).padStart(8)} ${b.p99.toFixed(3).padStart(8)}   ${b.bytes}`);
console.log(`@vigil/health        ${v.p50.toFixed(3).padStart(8)} ${v.p99.toFixed(3).padStart(8)}   ${v.bytes}`);
console.log(`ratio vigil/bare (p50 scrape time)  ${(v.p50 / b.p50).toFixed(2)}`);
