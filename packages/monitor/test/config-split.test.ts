/**
 * Large files parsed a slice of monitors at a time (src/config/split-monitors.ts): the data and each monitor's
 * position must be what parsing the file whole gives, for every way of writing YAML a split could trip over; a file
 * that cannot be split safely is parsed whole; a problem in any slice is reported where it is in the file.
 */
import { describe, expect, test } from 'vitest';
import { ConfigError, formatIssue, parseConfigSources } from '../src/config/index.js';
import { parseSource } from '../src/config/source.js';
import { splitMonitors } from '../src/config/split-monitors.js';

const env = { PORT: '8080', HOST: 'example.com' };

/** The first pass over a file with slices of `perSlice` monitors, and the same without slices. */
function bothWays(text: string, perSlice = 2) {
  const split = parseSource({ file: 'vigil.yaml', text }, env, 0, 'monitors', perSlice);
  const whole = parseSource({ file: 'vigil.yaml', text }, env, 0, 'monitors', Number.POSITIVE_INFINITY);
  return { split, whole };
}

function expectSame(text: string, perSlice = 2) {
  expect(splitMonitors(text, perSlice), 'this text should be split').toBeDefined();
  const { split, whole } = bothWays(text, perSlice);
  expect(whole.issues).toEqual([]);
  expect(split.issues).toEqual([]);
  expect(split.value).toEqual(whole.value);
  expect([...split.positions]).toEqual([...whole.positions]);
  expect(split.positions.size).toBe((whole.value?.monitors as unknown[]).length);
}

const item = (i: number, indent = '  ') => `${indent}- name: Site ${i}\n${indent}  type: http\n${indent}  url: http://127.0.0.1/${i}\n`;
const items = (count: number, indent = '  ') => Array.from({ length: count }, (_, i) => item(i, indent)).join('');

describe('a file split at its monitors parses to what the whole file does', () => {
  test('sections before and after the monitors, slices of 2 and 3', () => {
    const text = `defaults:\n  interval: 30s\nmonitors:\n${items(7)}status_pages:\n  - slug: main\n    title: Main\n`;
    expectSame(text, 2);
    expectSame(text, 3);
    const split = splitMonitors(text, 3)!;
    expect(split.slices).toHaveLength(3);
    // The rest keeps every line, so positions outside the monitors stay right.
    expect(split.rest.text.split('\n')).toHaveLength(text.split('\n').length);
  });

  test('items written at the column of `monitors:`, a file without a final line break, CRLF line breaks', () => {
    expectSame(`monitors:\n${items(5, '')}`);
    expectSame(`monitors:\n${items(5)}`.trimEnd());
    expectSame(`monitors:\n${items(5)}server:\n  port: 3000\n`.replace(/\n/g, '\r\n'));
  });

  test('block scalars whose text looks like items, empty ones, folded ones', () => {
    const text =
      'monitors:\n' +
      '  - name: A\n    type: http\n    url: http://a/\n    body: |\n      - name: not an item\n  - name: not one either\n\n' +
      '  - name: B\n    type: http\n    url: http://b/\n    body: |\n' +
      '  - name: C\n    type: http\n    url: http://c/\n    body: >-\n\n      folded\n      - text\n\n' +
      '  - name: D\n    type: http\n    url: http://d/\n    body: |+ # kept\n      x\n\n\n' +
      items(3);
    expectSame(text);
  });

  test('multi-line quoted and plain scalars, flow collections over several lines, nested sequences', () => {
    const text =
      'monitors:\n' +
      '  - name: "A quoted\n      name"\n    type: http\n    url: http://a/\n' +
      "  - name: 'B single\n      quoted'\n    type: http\n    url: http://b/\n" +
      '  - name: C plain\n      continued\n    type: http\n    url: http://c/\n' +
      '  - name: D\n    type: http\n    url: http://d/\n    headers: { a: "1",\n      b: "2" }\n    expect_status: [200,\n      201]\n' +
      '  - name: E\n    type: dns\n    host: example.com\n    expect:\n      - 1.2.3.4\n      - - nested\n        - list\n' +
      '  -\n' +
      '  - name: F\n    type: tcp\n    host: f\n    port: 1\n';
    expectSame(text);
  });

  test('comments and blank lines between items, at any indentation', () => {
    const text =
      'monitors: # the monitors\n' +
      '  # first\n' +
      items(2) +
      '# at the left edge\n\n' +
      '      # deep\n' +
      items(3) +
      '  # last\n' +
      '# before the next section\n' +
      'server:\n  port: 3000\n';
    expectSame(text);
  });

  test('${ENV} in items: a plain scalar takes the type of what it becomes, a quoted one stays a string', () => {
    const text = `monitors:\n${items(3)}  - name: E\n    type: tcp\n    host: \${HOST}\n    port: \${PORT}\n  - name: Q\n    type: tcp\n    host: h\n    port: "\${PORT}"\n`;
    expectSame(text);
    const { split } = bothWays(text);
    const monitors = split.value!.monitors as Array<Record<string, unknown>>;
    expect(monitors[3]).toMatchObject({ host: 'example.com', port: 8080 });
    expect(monitors[4]).toMatchObject({ port: '8080' });
    expect(split.positions.get('["monitors",3]')?.value).toMatchObject({ line: 11, column: 5 });
  });

  test('random files built from all of the above give the same data and positions both ways', () => {
    const pieces = [
      (i: number, p: string) => `${p}- name: Site ${i}\n${p}  type: http\n${p}  url: http://h/${i}\n`,
      (i: number, p: string) => `${p}- name: "Quoted ${i}\n${p}    more"\n${p}  type: tcp\n${p}  host: h\n${p}  port: \${PORT}\n`,
      (i: number, p: string) => `${p}- name: Body ${i}\n${p}  body: |\n${p}    - looks like an item\n${p}  - looks like one too\n`,
      (i: number, p: string) => `${p}- { name: Flow ${i},\n${p}    type: http }\n`,
      (i: number, p: string) => `${p}# comment ${i}\n\n${p}- name: After a comment ${i}\n`,
      (i: number, p: string) => `${p}- - nested ${i}\n${p}  - list\n`,
      (i: number, p: string) => `${p}- plain ${i}\n${p}  continued\n`,
      (i: number, p: string) => `${p}- name: Empty body ${i}\n${p}  body: >\n`,
    ];
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    for (let round = 0; round < 60; round++) {
      const indent = ['', '  ', '    '][random(3)]!;
      const count = 3 + random(25);
      let text = random(2) === 0 ? 'defaults:\n  interval: 30s\n' : '';
      text += 'monitors:\n';
      for (let i = 0; i < count; i++) text += pieces[random(pieces.length)]!(i, indent);
      if (random(2) === 0) text += 'server:\n  port: 3000\n';
      expectSame(text, 1 + random(4));
    }
  });
});

describe('a file that cannot be split safely is parsed whole', () => {
  test.each([
    ['anchors and aliases', `x-common: &common\n  type: http\nmonitors:\n${items(4)}  - <<: *common\n    name: Z\n`],
    ['a tag', `monitors:\n${items(4)}  - name: !!str T\n`],
    ['several documents', `monitors:\n${items(4)}---\nserver: {}\n`],
    ['monitors in flow style', `monitors: [\n${items(4)}]\n`],
    ['a quoted key', `"monitors":\n${items(4)}`],
    ['a value on the key line', `monitors: # fine\n${items(4)}`.replace('# fine', '&a')],
    ['a scalar on the key line', `monitors: x\n${items(4)}`],
    ['a tab in an indentation', `monitors:\n${items(4)}\t- name: T\n`],
    ['a line between the top level and the items', `monitors:\n${items(4)} x: 1\n`],
    ['fewer monitors than two slices hold', `monitors:\n${items(2)}`],
  ])('%s', (_, text) => {
    expect(splitMonitors(text, 2)).toBeUndefined();
  });

  test('a file split only by its first, top-level `monitors` key; a duplicate one is an error found whole', () => {
    const text = `monitors:\n${items(4)}monitors:\n${items(1)}`;
    const { split, whole } = bothWays(text);
    expect(split.issues.map((issue) => issue.message)).toEqual(whole.issues.map((issue) => issue.message));
    expect(split.issues[0]?.message).toMatch(/unique/i);
  });
});

describe('problems in a split file are reported where they are', () => {
  const big = (count: number, broken: string) =>
    `defaults:\n  interval: 30s\nmonitors:\n${Array.from({ length: count }, (_, i) => (i === 1700 ? broken : item(i))).join('')}`;
  const problems = (text: string) => {
    try {
      parseConfigSources([{ file: 'vigil.yaml', text }], { env: {} });
    } catch (error) {
      if (error instanceof ConfigError) return error.issues.map(formatIssue);
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  test('a field the schema refuses, in the second slice of 1,000', () => {
    // Monitor 1700 starts on line 3 + 1700 × 3 + 1.
    const broken = '  - name: Broken\n    type: http\n    url: http://x/\n    interval: soon\n';
    expect(problems(big(2500, broken))).toEqual([expect.stringMatching(/^vigil\.yaml:5107:15: monitors\[1700\]\.interval: /)]);
  });

  test('a YAML error in the second slice', () => {
    const broken = '  - name: Broken\n    type: http\n    type: tcp\n';
    expect(problems(big(2500, broken))).toEqual([expect.stringMatching(/^vigil\.yaml:5106:5: invalid YAML: .*unique/i)]);
  });

  test('a valid file of 2,500 monitors: every monitor at its line, the same configuration as parsed whole', () => {
    const text = big(2500, item(1700));
    const loaded = parseConfigSources([{ file: 'vigil.yaml', text }], { env: {} });
    expect(loaded.config.monitors).toHaveLength(2500);
    expect(loaded.monitorSources.get('site-2499')).toEqual({ file: 'vigil.yaml', line: 4 + 2499 * 3, column: 5 });
    expectSame(text, 1000);
  });
});
