// Child process of store-durability.test.ts: writes batches of results through the built store (dist) and
// reports each batch on stdout once `appendResults` has returned, i.e. once its transaction committed.
// Plain JavaScript against packages/monitor/dist, so the parent can SIGKILL it mid-write.
import { pathToFileURL } from 'node:url';

const [dist, dataDir, perBatchText] = process.argv.slice(2);
const { openStore } = await import(pathToFileURL(dist).href);
const store = await openStore('sqlite', { dataDir });
const perBatch = Number(perBatchText);
const start = Date.UTC(2024, 0, 1);

process.stdout.write('ready\n');
for (let batch = 0; ; batch++) {
  const results = [];
  for (let i = 0; i < perBatch; i++) {
    results.push({
      monitorId: `monitor-${i % 10}`,
      at: start + batch * perBatch + i,
      status: i % 7 === 0 ? 'unhealthy' : 'healthy',
      latencyMs: i,
      statusCode: 200,
      location: 'local',
    });
  }
  await store.appendResults(results);
  // Pipes are written synchronously on Linux: once this line is out, the parent knows the batch committed.
  process.stdout.write(`committed ${batch}\n`);
}
