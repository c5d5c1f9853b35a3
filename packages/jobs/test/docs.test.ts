import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { METRICS } from '@vigil/core';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const DOC = 'docs/jobs.md';
const documented = fs.readFileSync(path.join(root, DOC), 'utf8');
const jobMetrics = METRICS.filter((m) => m.source === 'jobs');

describe(`${DOC} agrees with the code`, () => {
  it('lists every catalogue metric of source "jobs" with its type and labels, and nothing else', () => {
    expect(jobMetrics.length).toBe(6);
    expect(jobMetrics.every((m) => m.state === 'available')).toBe(true);
    const rows = new Map<string, { type: string; labels: string[] }>();
    for (const line of documented.split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      const name = /^`(vigil_[a-z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
      if (!name || cells.length < 5) continue;
      const labels = cells[3] === '—' ? [] : cells[3]!.split(',').map((l) => l.trim().replace(/^`|`$/g, ''));
      rows.set(name, { type: cells[2]!, labels });
    }
    for (const metric of jobMetrics) {
      expect(rows.get(metric.name), `${metric.name} in ${DOC}`).toEqual({ type: metric.type, labels: [...metric.labels] });
    }
    expect([...rows.keys()].sort()).toEqual(jobMetrics.map((m) => m.name).sort());
  });

  it('has JSON examples that parse', () => {
    const blocks = [...documented.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    for (const block of blocks) expect(() => JSON.parse(block), block.slice(0, 80)).not.toThrow();
  });

  it('has ```ts blocks that type-check against the real API', async () => {
    const snippets = [...documented.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(snippets.length).toBeGreaterThanOrEqual(4);
    const dir = path.join(root, 'node_modules', '.cache', 'vigil-jobs-doc-snippets');
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
            '@vigil/jobs': [path.join(root, 'packages/jobs/src/index.ts')],
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
  }, 90_000);
});
