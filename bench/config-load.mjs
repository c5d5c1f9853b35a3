// Question: how much memory does `vigil serve` keep after loading a large configuration, parsed in a worker thread
// (what it does) against parsed in its own thread? Each way runs in a fresh process: the figure is its RSS once the
// configuration is loaded and a GC has run, and the time the load took. The ratio is worker / in-process.
// Run: npm run bench:config-load   (BENCH_MONITORS=10000 by default; about 15 seconds)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MONITORS = Number(process.env.BENCH_MONITORS ?? 10_000);
const RUNS = 3;

if (process.argv[2] === '--child') {
  const { loadConfig, loadConfigIsolated } = await import(path.join(ROOT, 'packages/monitor/dist/config/index.js'));
  const started = performance.now();
  // isolateFromBytes: 0 — always the worker, whatever the size (vigil serve parses small files in its own thread).
  const loaded = await (process.argv[3] === 'worker' ? loadConfigIsolated : loadConfig)([process.argv[4]], { isolateFromBytes: 0 });
  const ms = performance.now() - started;
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 200));
  globalThis.gc();
  const rssMb = process.memoryUsage.rss() / 1e6;
  console.log(JSON.stringify({ monitors: loaded.config.monitors.length, ms, rssMb }));
  process.exit(0);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-config-'));
try {
  const file = path.join(dir, 'vigil.yaml');
  const lines = ['defaults:', '  interval: 20s', '  timeout: 5s', 'monitors:'];
  for (let i = 0; i < MONITORS; i++) {
    lines.push(`  - name: Site ${i}`, '    type: http', `    url: http://127.0.0.1:8080/site/${i}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  const measure = (mode) => {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', mode, file], {
        encoding: 'utf8',
      });
      if (child.status !== 0) throw new Error(`${mode} run failed:\n${child.stderr}`);
      runs.push(JSON.parse(child.stdout));
    }
    const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
    return { rssMb: median('rssMb'), ms: median('ms') };
  };
  const own = measure('in-process');
  const worker = measure('worker');
  console.log(`\nLoading ${MONITORS} monitors (median of ${RUNS} fresh processes each)\n`);
  console.log('| parsed | RSS after loading | load time |');
  console.log('| --- | ---: | ---: |');
  console.log(`| in the same thread | ${own.rssMb.toFixed(0)} MB | ${own.ms.toFixed(0)} ms |`);
  console.log(`| in a worker thread (vigil serve) | ${worker.rssMb.toFixed(0)} MB | ${worker.ms.toFixed(0)} ms |`);
  console.log(`| ratio worker / same thread | ${(worker.rssMb / own.rssMb).toFixed(2)} | ${(worker.ms / own.ms).toFixed(2)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
