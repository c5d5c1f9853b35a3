import { describe, expect, it } from 'vitest';
import { type Condition, ConditionSyntaxError, parseCondition } from '../src/conditions/index.js';

/** The error `parseCondition(text)` throws; fails the test when it does not throw. */
function syntaxError(text: string): ConditionSyntaxError {
  try {
    parseCondition(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConditionSyntaxError);
    return error as ConditionSyntaxError;
  }
  return expect.unreachable(`expected ${JSON.stringify(text.slice(0, 60))} to be rejected`);
}

describe('parseCondition: valid conditions', () => {
  it.each([
    '[STATUS] == 200',
    '[STATUS] != 200',
    '[STATUS] <= 200',
    '[STATUS] >= 200',
    '[STATUS] < 200',
    '[STATUS] > 200',
    '[STATUS] == any(200, 201, 202, 203)',
    '[STATUS] == [BODY].status',
    '[CONNECTED] == true',
    '[RESPONSE_TIME] < 500',
    '[IP] == 127.0.0.1',
    '[BODY] == 1',
    '[BODY].test == wat',
    '[BODY].test.wat == wat',
    '[BODY].age == [BODY].id',
    '[BODY].users[0].id == 1',
    'len([BODY].users) == 100',
    'len([BODY].data) < 5',
    'has([BODY].errors) == false',
    'has([BODY].users[0].name) == true',
    '[BODY].name == pat(john*)',
    '[CERTIFICATE_EXPIRATION] > 48h',
    '[DOMAIN_EXPIRATION] > 720h',
    '[DNS_RCODE] == NOERROR',
    'raw == raw',
    '[BODY] == pat(*<div id="user">john.doe</div>*)',
    '[BODY] == pat(*a == b*)',
    '[BODY] == pat(*[^)]*)',
    '[BODY] == pat(*\\)*)',
    '[BODY].items[*].status == UP',
    '[BODY].html == <b>bold</b>',
    '[BODY].items == []',
    '[status] == 200',
    '  [STATUS]\t==   200  ',
    'len ( [BODY].items ) > 0',
    '[BODY].message == OK (cached)',
  ])('%s', (text) => {
    expect(() => parseCondition(text)).not.toThrow();
  });

  it('builds a tree with the operands as written', () => {
    const condition: Condition = parseCondition(' len([body].data[0].items) >= [BODY].min ');
    expect(condition).toEqual({
      text: 'len([body].data[0].items) >= [BODY].min',
      operator: '>=',
      left: {
        kind: 'len',
        text: 'len([body].data[0].items)',
        argument: {
          kind: 'placeholder',
          text: '[body].data[0].items',
          name: 'BODY',
          path: [
            { kind: 'key', key: 'data' },
            { kind: 'index', index: 0 },
            { kind: 'key', key: 'items' },
          ],
        },
      },
      right: { kind: 'placeholder', text: '[BODY].min', name: 'BODY', path: [{ kind: 'key', key: 'min' }] },
      placeholders: ['BODY'],
    });
  });

  it('parses any() values and literals', () => {
    const condition = parseCondition('[IP] == any(127.0.0.1,  ::1 )');
    expect(condition.right).toEqual({ kind: 'any', text: 'any(127.0.0.1,  ::1 )', values: ['127.0.0.1', '::1'] });
    expect(parseCondition('[BODY].name == John Doe').right).toEqual({ kind: 'literal', text: 'John Doe' });
    expect(parseCondition('[BODY].message == OK (cached)').right).toEqual({ kind: 'literal', text: 'OK (cached)' });
    expect(parseCondition('len ([BODY].items) > 0').left.kind).toBe('len');
  });

  it('lists the placeholders a condition reads', () => {
    expect(parseCondition('[STATUS] == 200').placeholders).toEqual(['STATUS']);
    expect(parseCondition('has([BODY].x) == [CONNECTED]').placeholders).toEqual(['BODY', 'CONNECTED']);
    expect(parseCondition('[IP] == [IP]').placeholders).toEqual(['IP']);
    expect(parseCondition('1 == 1').placeholders).toEqual([]);
  });
});

describe('parseCondition: invalid conditions', () => {
  it.each([
    ['[STATUS] === 200', 'unknown operator "==="', 10],
    ['[STATUS] = = 201', 'unknown operator "="', 10],
    ['[STATUS] =< 201', 'unknown operator "=<"', 10],
    ['[STATUS] ? 201', 'missing operator (one of ==, !=, <, <=, >, >=)', undefined],
    ['[STATUS]', 'missing operator (one of ==, !=, <, <=, >, >=)', undefined],
    ['[STATUS]==201', 'operator "==" must be surrounded by spaces', 9],
    ['[STATUS] ==', 'missing value on the right of "=="', 10],
    ['== 200', 'missing value on the left of "=="', 1],
    ['  ==  ', 'missing value on the left of "=="', 3],
    ['[STATUS] == 200 == 300', 'unexpected second operator "=="', 17],
    ['', 'the condition is empty', undefined],
    ['   ', 'the condition is empty', undefined],
    ['[STAUTS] == 200', expect.stringContaining('unknown placeholder "[STAUTS]"'), 1],
    ['[CONTEXT].id == 1', expect.stringContaining('unknown placeholder "[CONTEXT]"'), 1],
    ['200 == [RESPONSE]', expect.stringContaining('unknown placeholder "[RESPONSE]"'), 8],
    ['size([BODY].items) > 0', 'unknown function "size" (one of len, has, pat, any)', 1],
    ['LEN([BODY].items) > 0', 'unknown function "LEN" (function names are lowercase: len)', 1],
    ['[STATUS] == foo(1)', 'unknown function "foo" (one of len, has, pat, any)', 13],
    ['len([BODY].items > 0', 'unclosed "("', 4],
    ['len([BODY].items)) > 0', 'unexpected ")" without a matching "("', 18],
    ['[BODY.status == UP', 'unclosed "["', 1],
    ['[BODY]].status == UP', 'unexpected "]" without a matching "["', 7],
    ['[BODY].data[0 == 1', 'unclosed "["', 12],
    ['[STATUS] == any(200, 201', 'unclosed "("', 16],
    ['[BODY] == pat(*ok*', 'unclosed "("', 14],
    ['[BODY] == :)', 'unexpected ")" without a matching "("', 12],
    ['len() > 0', 'len() needs a placeholder, e.g. len([BODY].items)', 4],
    ['len(items) > 0', 'len() takes a placeholder such as [BODY].items, not "items"', 5],
    ['has(len([BODY])) == true', 'has() takes a placeholder such as [BODY].items, not "len([BODY])"', 5],
    ['len([BODY].items)x > 0', 'unexpected "x" after len(…)', 18],
    ['[STATUS].code == 200', '[STATUS] cannot be followed by a path; only [BODY] can', 9],
    ['[BODY]status == UP', 'unexpected "status" after [BODY] (a key needs a "." before it)', 7],
    ['[BODY].data[0]id == 1', 'unexpected "id" after [BODY].data[0] (a key needs a "." before it)', 15],
    ['[BODY]..status == UP', 'empty key in path', 7],
    ['[BODY].status. == UP', 'empty key in path', 14],
    ['[BODY].data[x] == 1', 'array index must be a number or *, not "x"', 13],
    ['[BODY].data[-1] == 1', 'array index must be a number or *, not "-1"', 13],
    ['[BODY].data[] == 1', 'array index must be a number or *, not ""', 13],
    ['[STATUS] == pat()', 'pat() needs a pattern, e.g. pat(*ok*)', 16],
    ['[BODY] == pat(*[a-*)', 'unclosed "["', 16],
    ['[BODY] == pat([]a])', 'unexpected "]" without a matching "["', 18],
    ['[BODY] == pat([a-])', '"]" must be escaped in a character class', 18],
    ['[BODY] == pat([^])', '"]" must be escaped in a character class', 17],
    ['[BODY] == pat([z-a])', 'reversed range in character class', 16],
    ['[BODY] == pat(a\\)', 'unclosed "("', 14],
    ['[STATUS] == any()', 'any() needs at least one value, e.g. any(200, 201)', 16],
    ['[STATUS] == any(200,,201)', 'empty value in any()', 21],
    ['[STATUS] == any(200, [BODY].x)', 'any() takes plain values, not "[BODY].x"', 22],
    ['[STATUS] < pat(2*)', 'pat() can only be used with == or !=', 12],
    ['any(1, 2) >= [STATUS]', 'any() can only be used with == or !=', 1],
    ['pat(a*) == any(a, b)', 'pat() cannot be compared with any()', 12],
  ])('%s', (text, reason, column) => {
    const syntax = syntaxError(text);
    expect(syntax).toBeInstanceOf(Error);
    expect(syntax.name).toBe('ConditionSyntaxError');
    expect(syntax.condition).toBe(text);
    expect(syntax.reason).toEqual(reason);
    expect(syntax.column).toBe(column);
  });

  it('says what is wrong and where in the message', () => {
    expect(() => parseCondition('[STATUS] === 200')).toThrow(
      new ConditionSyntaxError('[STATUS] === 200', 'unknown operator "==="', 10),
    );
    expect(syntaxError('[STATUS] === 200').message).toBe(
      'invalid condition "[STATUS] === 200": unknown operator "===" at column 10',
    );
    expect(syntaxError('[STATUS]').message).toBe(
      'invalid condition "[STATUS]": missing operator (one of ==, !=, <, <=, >, >=)',
    );
  });

  it('rejects a value that is not a string (config loaded from YAML)', () => {
    expect(() => parseCondition(200 as unknown as string)).toThrow(ConditionSyntaxError);
    expect(() => parseCondition(undefined as unknown as string)).toThrow(/must be a string/);
  });

  it('keeps messages short for very long conditions', () => {
    const long = `[BODY].${'a'.repeat(5000)} === 1`;
    const error = syntaxError(long);
    expect(error.message.length).toBeLessThan(300);
    expect(error.column).toBe(5009);
  });
});
