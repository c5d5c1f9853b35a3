import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createHealth, customCheck, diskCheck, METRICS, postgresCheck } from '../src/index.js';
import { familyTypes, parseSamples } from './metrics-support.js';
import { serve } from './support.js';
import { POSTGRES_URL } from '../../../test/services.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const DOC = 'docs/metrics.md';
const documented = fs.readFileSync(path.join(root, DOC), 'utf8');
const healthMetrics = METRICS.filter((m) => m.source === 'health');

/** Prometheus has no stateset or info type in the text format: Vigil serves those as gauges. */
const exposedType = (type: string) => (type === 'stateset' || type === 'info' ? 'gauge' : type);

const servers: Array<{ close: () => Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('the METRICS catalogue, /metrics and docs/metrics.md agree', () => {
  it('has @vigil/health metrics to check', () => {
    expect(healthMetrics.length).toBeGreaterThanOrEqual(11);
  });

  it('every catalogue entry of source "health" is served by /metrics with its type and its exact labels', async () => {
    const health = createHealth({
      service: { name: 'shop-api', version: '1.4.2' },
      checks: [
        customCheck('queue', () => true),
        diskCheck({ path: '/' }),
        postgresCheck({ name: 'database', connectionString: POSTGRES_URL }),
      ],
    });
    health.metrics.countError('payment_failed');
    health.metrics.setSchedulerEnabled(true);
    health.metrics.gauge({ name: 'shop_documents', help: 'Documents.', collect: () => 1 });
    const server = await serve(health);
    servers.push(server);
    const body = await (await fetch(`${server.url}/metrics`)).text();
    const types = familyTypes(body);
    const samples = parseSamples(body);

    for (const metric of healthMetrics) {
      expect(types.get(metric.name), metric.name).toBe(exposedType(metric.type));
      const own = samples.filter((s) =>
        metric.type === 'histogram'
          ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`].includes(s.name)
          : s.name === metric.name,
      );
      expect(own.length, `${metric.name} has samples`).toBeGreaterThan(0);
      for (const sample of own) {
        const expected = [...metric.labels, ...(sample.name.endsWith('_bucket') ? ['le'] : [])].sort();
        expect(Object.keys(sample.labels).sort(), sample.name).toEqual(expected);
      }
    }
  });

  it(`every catalogue entry of source "health" is listed in ${DOC} with its type and labels, and nothing else`, () => {
    const rows = new Map<string, { type: string; labels: string[] }>();
    for (const line of documented.split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      const name = /^`(vigil_[a-z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
      if (!name || cells.length < 5) continue;
      const labels = cells[3] === '—' ? [] : cells[3]!.split(',').map((l) => l.trim().replace(/^`|`$/g, ''));
      rows.set(name, { type: cells[2]!, labels });
    }
    for (const metric of healthMetrics) {
      expect(rows.get(metric.name), `${metric.name} in ${DOC}`).toEqual({
        type: metric.type,
        labels: [...metric.labels],
      });
    }
    expect([...rows.keys()].sort()).toEqual(healthMetrics.map((m) => m.name).sort());
  });

  it(`every \`\`\`ts block in ${DOC} type-checks against the real API`, async () => {
    const snippets = [...documented.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(snippets.length).toBeGreaterThanOrEqual(4);
    const dir = path.join(root, 'node_modules', '.cache', 'vigil-metrics-doc-snippets');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    snippets.forEach((code, i) => fs.writeFileSync(path.join(dir, `snippet-${i + 1}.ts`), `${code}\nexport {};\n`));
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: path.join(root, 'tsconfig.base.json'),
        compilerOptions: {
          noEmit: true,
          paths: {
            '@vigil/core': [path.join(root, 'packages/core/src/index.ts')],
            '@vigil/health': [path.join(root, 'packages/health/src/index.ts')],
          },
        },
        include: ['*.ts'],
      }),
    );
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', dir], { cwd: root }).then(
      () => ({ ok: true, output: '' }),
      (error: { stdout?: string }) => ({ ok: false, output: error.stdout ?? String(error) }),
    );
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  }, 60_000);
});
