#!/usr/bin/env node
/**
 * Writes the files generated from the configuration schema (packages/monitor/src/config):
 * packages/monitor/schema/vigil.schema.json and docs/config.md. Reads the build, so run it as
 * `npm run config:generate`, which builds first. With `--check`, writes nothing and exits 1 when a file is stale.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONFIG_DOCS_PATH,
  CONFIG_GENERATE_COMMAND,
  CONFIG_SCHEMA_PATH,
  renderConfigDocs,
  renderConfigJsonSchema,
} from '../dist/config/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const check = process.argv.includes('--check');
const outputs = [
  [CONFIG_SCHEMA_PATH, renderConfigJsonSchema()],
  [CONFIG_DOCS_PATH, renderConfigDocs()],
];

let stale = 0;
for (const [path, content] of outputs) {
  const file = join(root, path);
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === content) {
    console.log(`${path}: up to date`);
  } else if (check) {
    stale++;
    console.error(`${path}: stale, run \`${CONFIG_GENERATE_COMMAND}\``);
  } else {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    console.log(`${path}: written`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
