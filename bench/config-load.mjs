// Question: how much memory does `vigil serve` need to load a large configuration — at its largest while loading,
// and kept afterwards — parsed in a worker thread a slice of monitors at a time (what it does), against the file
// parsed whole in the worker, and against parsed in the process's own thread (whole and in slices)? Each way runs in
// a fresh process with the flags and variables `vigil` starts node with: the figures are its peak RSS (VmHWM), its
// RSS once the configuration is loaded and a GC has run, and the time the load took. Ratios are against the first
// row, the file parsed whole in the worker. The bench's own thread has imported the loader (zod, the schema, the YAML
// parser) before it loads, which `vigil serve` does not: its peaks are lower than these by about that much.
// Run: npm run bench:config-load   (BENCH_MONITORS=10000 by default; about 25 seconds)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vigilNodeEnv, vigilNodeFlags } from '../scripts/vigil-node-flags.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MONITORS = Number(process.env.BENCH_MONITORS ?? 10_000);
const RUNS = 3;

if (process.argv[2] === '--child') {
  const { loadConfig, loadConfigIsolated } = await import(path.join(ROOT, 'packages/monitor/dist/config/index.js'));
  const mode = process.argv[3];
  const started = performance.now();
  // isolateFromBytes: 0 — always the worker, whatever the size (vigil serve parses small files in its own thread).
  const options = { isolateFromBytes: 0, ...(mode.endsWith('slices') ? {} : { monitorsPerSlice: Number.POSITIVE_INFINITY }) };
  const loaded = await (mode.startsWith('in-process') ? loadConfig : loadConfigIsolated)([process.argv[4]], options);
  const ms = performance.now() - started;
  const peakMb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 200));
  globalThis.gc();
  const rssMb = process.memoryUsage.rss() / 1e6;
  console.log(JSON.stringify({ monitors: loaded.config.monitors.length, ms, rssMb, peakMb }));
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
      const child = spawnSync(
        process.execPath,
        [...vigilNodeFlags(), '--expose-gc', fileURLToPath(import.meta.url), '--child', mode, file],
        { encoding: 'utf8', env: { ...process.env, ...vigilNodeEnv() } },
      );
      if (child.status !== 0) throw new Error(`${mode} run failed:\n${child.stderr}`);
      runs.push(JSON.parse(child.stdout));
    }
    const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
    return { peakMb: median('peakMb'), rssMb: median('rssMb'), ms: median('ms') };
  };
  const rows = [
    ['in a worker thread, the file whole', measure('whole')],
    ['in a worker thread, 1,000 monitors at a time (vigil serve)', measure('slices')],
    ['in the same thread, the file whole', measure('in-process')],
    ['in the same thread, 1,000 monitors at a time', measure('in-process-slices')],
  ];
  const [, base] = rows[0];
  console.log(`\nLoading ${MONITORS} monitors (median of ${RUNS} fresh processes each; ratios against the first row)\n`);
  console.log('| parsed | peak RSS while loading | RSS after loading | load time |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, row] of rows) {
    const ratio = (key) => (row === base ? '' : ` ×${(row[key] / base[key]).toFixed(2)}`);
    console.log(
      `| ${name} | ${row.peakMb.toFixed(0)} MB${ratio('peakMb')} | ${row.rssMb.toFixed(0)} MB${ratio('rssMb')} | ${row.ms.toFixed(0)} ms${ratio('ms')} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
