// Question: what does @vigil/health cost per request with a warm cache, against a bare node:http handler
// returning the same bytes? And how many times does a slow check run when 1,000 requests arrive at once?
// Run: npm run bench:health   (builds first; takes about a minute)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import autocannon from 'autocannon';
import { createHealth, customCheck, nodeHandler } from '../packages/health/dist/index.js';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;

async function startServer(mode) {
  const child = spawn(process.execPath, [new URL('./health-server.mjs', import.meta.url).pathname, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = await once(child.stdout, 'data');
  return {
    port: Number(String(chunk).trim()),
    startMeasuring: () => child.kill('SIGUSR1'),
    cpuPerRequest: async () => {
      child.kill('SIGUSR2');
      const [line] = await once(child.stdout, 'data');
      return JSON.parse(String(line)).cpuMicrosPerRequest;
    },
    stop: () => child.kill('SIGTERM'),
  };
}

async function requestsPerSecond(mode) {
  const server = await startServer(mode);
  try {
    const url = `http://127.0.0.1:${server.port}/health`;
    await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up: JIT, cache, sockets
    server.startMeasuring();
    const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
    if (result.non2xx || result.errors) throw new Error(`${mode}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { rps: result.requests.average, cpu: await server.cpuPerRequest() };
  } finally {
    server.stop();
  }
}

async function stampede() {
  let runs = 0;
  const slow = customCheck('slow', async () => {
    runs++;
    await new Promise((resolve) => setTimeout(resolve, 500));
    return true;
  });
  const server = http.createServer(nodeHandler(createHealth({ checks: [slow] })));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const get = () =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: server.address().port, path: '/health', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        })
        .on('error', reject);
    });
  const statuses = await Promise.all(Array.from({ length: 1000 }, get));
  server.close();
  return { runs, ok: statuses.filter((s) => s === 200).length };
}

const vigil = [];
const bare = [];
for (let round = 0; round < ROUNDS; round++) {
  // Alternate so drift in machine load hits both sides alike.
  bare.push(await requestsPerSecond('bare'));
  vigil.push(await requestsPerSecond('vigil'));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rps = { vigil: median(vigil.map((r) => r.rps)), bare: median(bare.map((r) => r.rps)) };
const cpu = { vigil: median(vigil.map((r) => r.cpu)), bare: median(bare.map((r) => r.cpu)) };
const s = await stampede();
const fmt = (n) => String(Math.round(n)).padStart(7);
console.log(
  `medians of ${ROUNDS} rounds × ${DURATION_S} s, ${CONNECTIONS} connections, server and load generator in separate processes`,
);
console.log(`                     req/s   server CPU µs/request`);
console.log(`bare node:http     ${fmt(rps.bare)}   ${cpu.bare.toFixed(2)}`);
console.log(`@vigil/health      ${fmt(rps.vigil)}   ${cpu.vigil.toFixed(2)}`);
console.log(
  `ratio vigil/bare      ${(rps.vigil / rps.bare).toFixed(2)}   ${(cpu.bare / cpu.vigil).toFixed(2)} (bare CPU / vigil CPU)   goal ≥ 0.80`,
);
console.log(`stampede: 1000 concurrent requests, ${s.ok} answered 200, the slow check ran ${s.runs} time(s)   goal: 1`);
