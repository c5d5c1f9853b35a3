import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConditionSyntaxError, parseCondition } from '../src/conditions/index.js';

// docs/conditions.md is what users copy from: every condition it shows must parse, every error it shows must be
// the one they get.
const doc = fs.readFileSync(fileURLToPath(new URL('../../../docs/conditions.md', import.meta.url)), 'utf8');

/** Rows of every table whose first header cell is `condition`: the cells, without backticks. */
function conditionTables(): Array<{ header: string[]; rows: string[][] }> {
  const tables: Array<{ header: string[]; rows: string[][] }> = [];
  const lines = doc.split('\n');
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim().replace(/^`(.*)`$/, '$1'));
  for (let i = 0; i < lines.length; i++) {
    if (!/^\| condition\s/.test(lines[i]!)) continue;
    const table = { header: cells(lines[i]!), rows: [] as string[][] };
    for (i += 2; i < lines.length && lines[i]!.startsWith('|'); i++) table.rows.push(cells(lines[i]!));
    tables.push(table);
  }
  return tables;
}

const tables = conditionTables();
const invalid = tables.filter((t) => t.header[1] === 'error').flatMap((t) => t.rows);
const valid = tables.filter((t) => t.header[1] !== 'error').flatMap((t) => t.rows.map((row) => row[0]!));
const yaml = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) =>
  [...m[1]!.matchAll(/^\s*- "(.*)"$/gm)].map((line) => line[1]!),
);

describe('docs/conditions.md', () => {
  it('has examples to check', () => {
    expect(yaml.length).toBeGreaterThanOrEqual(5);
    expect(valid.length).toBeGreaterThanOrEqual(25);
    expect(invalid.length).toBeGreaterThanOrEqual(15);
  });

  it.each([...yaml, ...valid])('%s parses', (condition) => {
    expect(() => parseCondition(condition)).not.toThrow();
  });

  it.each(invalid)('%s fails with %s', (condition, error) => {
    const pattern = new RegExp(`^${error!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/…/g, '.*')}$`);
    let thrown: unknown;
    try {
      parseCondition(condition!);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConditionSyntaxError);
    expect((thrown as Error).message.slice(`invalid condition "${condition}": `.length)).toMatch(pattern);
  });
});
