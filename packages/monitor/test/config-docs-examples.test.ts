/**
 * The configuration examples in docs/ work when pasted: every YAML block that is a `vigil serve` configuration
 * (it starts with one of its top-level sections) loads without a problem, with each `${VAR}` it uses set.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ConfigError, parseConfigSources } from '../src/config/index.js';

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
const SECTION = /^(server|storage|retention|api|scheduler|defaults|monitors):/m;

const examples = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .flatMap((name) => {
    const text = readFileSync(`${DOCS}${name}`, 'utf8');
    return [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)]
      .map((match) => ({ yaml: match[1]!, line: text.slice(0, match.index).split('\n').length + 1 }))
      .filter(({ yaml }) => SECTION.test(yaml))
      .map(({ yaml, line }) => ({ where: `docs/${name}:${line}`, yaml }));
  });

describe('configuration examples in docs/', () => {
  test('there are examples to check (monitors.md, storage.md, heartbeats.md, api.md)', () => {
    const files = new Set(examples.map((e) => e.where.replace(/:\d+$/, '')));
    for (const file of ['docs/monitors.md', 'docs/storage.md', 'docs/heartbeats.md', 'docs/api.md']) {
      expect(files).toContain(file);
    }
  });

  test.each(examples)('$where loads', ({ where, yaml }) => {
    const env = Object.fromEntries([...yaml.matchAll(/\$\{(\w+)/g)].map((m) => [m[1]!, 'set-in-test']));
    try {
      parseConfigSources([{ file: where, text: yaml }], { env });
    } catch (error) {
      if (error instanceof ConfigError) expect.fail(error.message);
      throw error;
    }
  });
});
