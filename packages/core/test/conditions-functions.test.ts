import { describe, expect, it } from 'vitest';
import { compileGlob, type Glob, matchGlob } from '../src/conditions/functions.js';
import { compareValues, formatGoDuration, parseGoDuration, toNumeric, valuesEqual } from '../src/conditions/values.js';

function glob(pattern: string): Glob {
  const compiled = compileGlob(pattern);
  if (!compiled.ok) throw new Error(`bad pattern ${pattern}: ${compiled.reason}`);
  return compiled.glob;
}

describe('pat(): glob matching', () => {
  it.each([
    // Gatus's pattern tests.
    ['*', 'livingroom_123', true],
    ['**', 'livingroom_123', true],
    ['living*', 'livingroom_123', true],
    ['*living*', 'livingroom_123', true],
    ['*123', 'livingroom_123', true],
    ['*_*', 'livingroom_123', true],
    ['living*_*3', 'livingroom_123', true],
    ['living*room_*3', 'livingroom_123', true],
    ['*vin*om*2*', 'livingroom_123', true],
    ['livingroom_123', 'livingroom_123', true],
    ['*livingroom_123*', 'livingroom_123', true],
    ['livingroom', 'livingroom_123', false],
    ['livingroom123', 'livingroom_123', false],
    ['what', 'livingroom_123', false],
    ['*what*', 'livingroom_123', false],
    ['*.*', 'livingroom_123', false],
    ['room*123', 'livingroom_123', false],
    // Go's filepath.Match cases (without path separators: `*` and `?` match `/` too).
    ['abc', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true],
    ['*x', 'xxx', true],
    ['a?c', 'a/c', true],
    // Astral characters are one character.
    ['a?b', 'a😀b', true],
    ['a??b', 'a😀b', false],
    ['*😀', 'x😀', true],
    // Edges.
    ['?', '', false],
    ['*', '', true],
    ['a', '', false],
    ['', '', true],
    ['ab*', 'a', false],
  ])('%s ~ %s → %s', (pattern, input, expected) => {
    expect(matchGlob(glob(pattern), input)).toBe(expected);
  });

  it.each([
    ['[]a]', '"]" must be escaped in a character class', 1],
    ['[-]', '"-" must be escaped in a character class', 1],
    ['[x-]', '"]" must be escaped in a character class', 3],
    ['[-x]', '"-" must be escaped in a character class', 1],
    ['\\', 'pattern ends with an escape "\\"', 0],
    ['[a-b-c]', '"-" must be escaped in a character class', 4],
    ['[', 'unclosed "[" in pattern', 0],
    ['[^', 'unclosed "[" in pattern', 0],
    ['[^bc', 'unclosed "[" in pattern', 0],
    ['a[', 'unclosed "[" in pattern', 1],
    ['[z-a]', 'reversed range in character class', 1],
    ['[\\', 'unclosed "[" in pattern', 1],
  ])('rejects malformed pattern %s', (pattern, reason, offset) => {
    expect(compileGlob(pattern)).toEqual({ ok: false, reason, offset });
  });
});

describe('Go durations', () => {
  it.each([
    ['48h', 172_800_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['2h45m30.5s', 9_930_500],
    ['-2m', -120_000],
    ['+1s', 1000],
    ['0', 0],
    ['-0', 0],
    ['.5s', 500],
    ['5.s', 5000],
    ['1500us', 1],
    ['1500µs', 1],
    ['1500μs', 1],
    ['999999ns', 0],
    ['1h1h', 7_200_000],
  ])('parses %s as %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '1', 'h', '1d', '1h ', ' 1h', '.', '.s', '1.2.3s', '--1s', '1e3s', 'abc', '1h-30m', '9'.repeat(200) + 'h'])(
    'rejects %j',
    (text) => {
      expect(parseGoDuration(text)).toBeUndefined();
    },
  );

  it.each([
    [0, '0s'],
    [500, '0s'],
    [1000, '1s'],
    [10_000, '10s'],
    [60_000, '1m'],
    [1_800_000, '30m'],
    [5_400_000, '1h30m'],
    [7_800_000, '2h10m'],
    [3_615_000, '1h0m15s'],
    [14 * 24 * 3_600_000, '336h'],
    [86_399_999, '23h59m59s'],
    [-3_600_000, '-1h'],
    [-1500, '-1s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});

describe('value comparison', () => {
  it.each([
    ['200', { kind: 'int', value: 200n }],
    ['-7', { kind: 'int', value: -7n }],
    ['0x1F', { kind: 'int', value: 31n }],
    ['-0x10', { kind: 'int', value: -16n }],
    ['0o17', { kind: 'int', value: 15n }],
    ['0b101', { kind: 'int', value: 5n }],
    ['010', { kind: 'int', value: 10n }],
    ['9007199254740993', { kind: 'int', value: 9007199254740993n }],
    ['1.5', { kind: 'float', value: 1.5 }],
    ['1e3', { kind: 'float', value: 1000 }],
    ['.5', { kind: 'float', value: 0.5 }],
    ['1s', { kind: 'int', value: 1000n }],
    ['1h30m', { kind: 'int', value: 5_400_000n }],
  ])('%s is numeric', (text, numeric) => {
    expect(toNumeric(text)).toEqual(numeric);
  });

  it.each(['', 'abc', '1.2.3', '127.0.0.1', ' 1', '1 ', 'Infinity', 'NaN', 'inf', '0x', '1e', 'true', '1e999', '1'.repeat(101)])(
    '%j is not numeric',
    (text) => {
      expect(toNumeric(text)).toBeUndefined();
    },
  );

  it.each([
    ['200', '200', true],
    ['200', '201', false],
    ['1', '0x1', true],
    ['1.0', '1', true],
    ['1000', '1s', true],
    ['UP', 'UP', true],
    ['UP', 'up', false],
    ['true', 'TRUE', false],
    ['', '', true],
    ['1', 'one', false],
  ])('%j == %j → %s', (a, b, expected) => {
    expect(valuesEqual(a, b)).toBe(expected);
  });

  it.each([
    ['1', '2', -1],
    ['10', '9', 1],
    ['0.5', '0.25', 1],
    ['1m', '59s', 1],
    ['-1', '0', -1],
    ['2024-01-02', '2024-01-10', -1],
    ['b', 'a', 1],
    ['same', 'same', 0],
    ['5', 'five', undefined],
    ['n/a', '5', undefined],
  ])('compare(%j, %j) → %s', (a, b, expected) => {
    expect(compareValues(a, b)).toBe(expected);
  });
});
