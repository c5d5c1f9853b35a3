/** The committed monitoring/ folder is exactly what `vigil stack` writes for the example shop. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { generateStack, parseStackOptions } from '../src/stack/index.js';
import { MONITORING, REGENERATE, SHOP_RAW } from './support.js';

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
        : Promise.resolve([`${prefix}${entry.name}`]),
    ),
  );
  return nested.flat();
}

it('monitoring/ is the generator output for the example shop', async () => {
  const expected = generateStack(parseStackOptions(SHOP_RAW));
  const present = (await listFiles(MONITORING)).filter((file) => !file.startsWith('secrets/') && file !== '.env');
  const changed: string[] = [];
  for (const [file, content] of expected) {
    if (!present.includes(file)) continue;
    if ((await readFile(path.join(MONITORING, file), 'utf8')) !== content) changed.push(file);
  }
  const missing = [...expected.keys()].filter((file) => !present.includes(file));
  const extra = present.filter((file) => !expected.has(file));
  const problems = [
    changed.length ? `changed: ${changed.join(', ')}` : '',
    missing.length ? `missing: ${missing.join(', ')}` : '',
    extra.length ? `not generated (delete them): ${extra.join(', ')}` : '',
  ].filter(Boolean);
  expect(
    problems,
    `monitoring/ is out of date (${problems.join('; ')}). Regenerate it from the repository root with:\n  ${REGENERATE}\n`,
  ).toEqual([]);
});
