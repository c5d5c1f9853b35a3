// A server for bench/metrics.mjs in its own process. `vigil`: @vigil/health with 20 cached checks and
// per-queue gauges for 50 queues, collected at scrape time. `bare`: a plain prom-client registry holding the
// same series (values set directly), served by node:http.
import http from 'node:http';
import client from 'prom-client';
import { createHealth, customCheck, nodeHandler } from '../packages/health/dist/index.js';

const CHECKS = 20;
const QUEUES = Array.from({ length: 50 }, (_, i) => `queue_${i}`);
const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'paused'];
const mode = process.argv[2];

// The queue series, as a job integration would report them.
const queueSeries = () =>
  QUEUES.flatMap((queue, i) => STATES.map((state, j) => ({ labels: { queue, state }, value: (i * 7 + j) % 97 })));
const workerSeries = () => QUEUES.map((queue, i) => ({ labels: { queue }, value: i % 4 }));
const oldestSeries = () => QUEUES.map((queue, i) => ({ labels: { queue }, value: i * 1.5 }));

let handler;
if (mode === 'vigil') {
  const checks = Array.from({ length: CHECKS }, (_, i) =>
    customCheck(`check_${i}`, () => ({ status: 'healthy', details: { latency_ms: 1 } }), { cacheTtlMs: 3_600_000 }),
  );
  const health = createHealth({ checks, metrics: { maxCheckAgeMs: 3_600_000 } });
  await health.report(); // warm the check cache, as a polled /health would
  health.metrics.gauge({ name: 'bench_queue_jobs', help: 'Jobs per queue and state.', labelNames: ['queue', 'state'], collect: queueSeries });
  health.metrics.gauge({ name: 'bench_queue_workers', help: 'Workers per queue.', labelNames: ['queue'], collect: workerSeries });
  health.metrics.gauge({ name: 'bench_queue_oldest_waiting_seconds', help: 'Oldest waiting job.', labelNames: ['queue'], collect: oldestSeries });
  handler = nodeHandler(health);
} else if (mode === 'bare') {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const up = new client.Gauge({ name: 'vigil_check_up', help: 'up', labelNames: ['check'], registers: [registry] });
  const status = new client.Gauge({ name: 'vigil_check_status', help: 's', labelNames: ['check', 'status'], registers: [registry] });
  const duration = new client.Histogram({ name: 'vigil_check_duration_seconds', help: 'd', labelNames: ['check'], registers: [registry] });
  for (let i = 0; i < CHECKS; i++) {
    up.set({ check: `check_${i}` }, 1);
    for (const s of ['healthy', 'degraded', 'unhealthy']) status.set({ check: `check_${i}`, status: s }, s === 'healthy' ? 1 : 0);
    duration.observe({ check: `check_${i}` }, 0.001);
  }
  const jobs = new client.Gauge({ name: 'bench_queue_jobs', help: 'j', labelNames: ['queue', 'state'], registers: [registry] });
  const workers = new client.Gauge({ name: 'bench_queue_workers', help: 'w', labelNames: ['queue'], registers: [registry] });
  const oldest = new client.Gauge({ name: 'bench_queue_oldest_waiting_seconds', help: 'o', labelNames: ['queue'], registers: [registry] });
  for (const s of queueSeries()) jobs.set(s.labels, s.value);
  for (const s of workerSeries()) workers.set(s.labels, s.value);
  for (const s of oldestSeries()) oldest.set(s.labels, s.value);
  handler = async (_req, res) => {
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(body);
  };
} else {
  console.error('usage: metrics-server.mjs vigil|bare');
  process.exit(2);
}
const server = http.createServer(handler);
server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
process.on('SIGTERM', () => process.exit(0));
