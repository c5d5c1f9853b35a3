/**
 * The configuration examples in docs/ work when pasted: every YAML block that is a `vigil serve` configuration
 * (it starts with one of its top-level sections) loads without a problem, with each `${VAR}` it uses set and each
 * `ca_file` (a file the user brings) pointing at a real PEM file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { generateCertificates } from '../../core/test/support/tls.js';
import { ConfigError, parseConfigSources } from '../src/config/index.js';

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
const SECTION = /^(server|location|storage|retention|api|metrics|alerts|scheduler|defaults|monitors):/m;

const examples = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .flatMap((name) => {
    const text = readFileSync(`${DOCS}${name}`, 'utf8');
    return [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)]
      .map((match) => ({ yaml: match[1]!, line: text.slice(0, match.index).split('\n').length + 1 }))
      .filter(({ yaml }) => SECTION.test(yaml))
      .map(({ yaml, line }) => ({ where: `docs/${name}:${line}`, yaml }));
  });

const scratch = mkdtempSync(join(tmpdir(), 'vigil-docs-'));
const caFile = join(scratch, 'ca.pem');
writeFileSync(caFile, generateCertificates().ca);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A value of the shape the variable's name says: a URL for `…_URL`, a bot token for Telegram's, else a word. */
function valueFor(name: string): string {
  if (name.endsWith('_URL')) return 'https://hooks.example.com/set-in-test';
  if (name === 'TELEGRAM_BOT_TOKEN') return '123456789:AAH-set-in-test-set-in-test-set-in-test';
  return 'set-in-test';
}

describe('configuration examples in docs/', () => {
  test('there are examples to check (monitors.md, storage.md, heartbeats.md, api.md)', () => {
    const files = new Set(examples.map((e) => e.where.replace(/:\d+$/, '')));
    for (const file of ['docs/monitors.md', 'docs/storage.md', 'docs/heartbeats.md', 'docs/api.md']) {
      expect(files).toContain(file);
    }
  });

  test.each(examples)('$where loads', ({ where, yaml }) => {
    const env = Object.fromEntries([...yaml.matchAll(/\$\{(\w+)/g)].map((m) => [m[1]!, valueFor(m[1]!)]));
    try {
      const text = yaml.replace(/^(\s*ca_file:\s*)\S+$/gm, `$1${caFile}`);
      parseConfigSources([{ file: where, text }], { env });
    } catch (error) {
      if (error instanceof ConfigError) expect.fail(error.message);
      throw error;
    }
  });
});
