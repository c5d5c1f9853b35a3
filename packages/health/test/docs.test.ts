import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The TypeScript examples in the docs are what users paste: each one must type-check against the real API
// and the real framework and driver packages.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const documents = ['README.md', 'docs/health.md', 'docs/metrics.md', 'docs/conditions.md', 'docs/probes.md'];

function snippets(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('documentation examples', () => {
  it('every ```ts block in the README and the docs type-checks', async () => {
    const dir = path.join(root, 'node_modules', '.cache', 'vigil-doc-snippets');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const doc of documents) {
      snippets(doc).forEach((code, i) => {
        const name = `${doc.replace(/[^a-z0-9]+/gi, '-')}-${i + 1}.ts`;
        // `export {}` keeps each snippet its own module even when it exports nothing.
        fs.writeFileSync(path.join(dir, name), `${code}\nexport {};\n`);
        files.push(name);
      });
    }
    expect(files.length).toBeGreaterThanOrEqual(15);
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
