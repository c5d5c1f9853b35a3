import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ConditionContext,
  DEFAULT_MAX_JSON_LENGTH,
  evaluateCondition,
  parseCondition,
} from '../src/conditions/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the body is parsed lazily, once, and only up to a size', () => {
  it('parses the body once for every condition evaluated against one context', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const context: ConditionContext = { status: 200, body: '{"status":"UP","items":[1,2,3],"errors":null}' };
    const conditions = ['[BODY].status == UP', 'len([BODY].items) == 3', 'has([BODY].errors) == false', '[BODY].items[*] > 0'];
    for (const condition of conditions) expect(evaluateCondition(condition, context).success).toBe(true);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('does not parse the body for conditions that do not walk it', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const context: ConditionContext = { status: 200, body: '{"status":"UP"}' };
    for (const condition of ['[STATUS] == 200', '[BODY] == pat(*UP*)', 'len([BODY]) > 0', 'has([BODY]) == true']) {
      expect(evaluateCondition(condition, context).success).toBe(true);
    }
    expect(parse).not.toHaveBeenCalled();
  });

  it('parses again when the body of the context changes', () => {
    const context: ConditionContext = { body: '{"status":"UP"}' };
    const condition = parseCondition('[BODY].status == UP');
    expect(evaluateCondition(condition, context).success).toBe(true);
    context.body = '{"status":"DOWN"}';
    expect(evaluateCondition(condition, context)).toEqual({ success: false, output: '[BODY].status (DOWN) == UP' });
  });

  it(`treats a body over ${DEFAULT_MAX_JSON_LENGTH} characters as not JSON`, () => {
    const parse = vi.spyOn(JSON, 'parse');
    const body = `{"status":"UP","padding":"${'x'.repeat(DEFAULT_MAX_JSON_LENGTH)}"}`;
    expect(evaluateCondition('[BODY].status == UP', { body })).toEqual({
      success: false,
      output: '[BODY].status (INVALID) == UP',
    });
    expect(evaluateCondition('has([BODY].status) == false', { body }).success).toBe(true);
    // The text is still there for pat() and len().
    expect(evaluateCondition('[BODY] == pat({"status":"UP"*)', { body }).success).toBe(true);
    expect(evaluateCondition(`len([BODY]) == ${body.length}`, { body }).success).toBe(true);
    expect(parse).not.toHaveBeenCalled();
  });

  it('takes the cap as an option', () => {
    const body = '{"status":"UP"}';
    expect(evaluateCondition('[BODY].status == UP', { body }, { maxJsonLength: body.length }).success).toBe(true);
    expect(evaluateCondition('[BODY].status == UP', { body }, { maxJsonLength: body.length - 1 }).success).toBe(false);
  });
});

describe('paths walk own properties only', () => {
  it.each([
    ['[BODY].__proto__ == x', '{}', false, '[BODY].__proto__ (INVALID) == x'],
    ['has([BODY].__proto__) == false', '{}', true, 'has([BODY].__proto__) == false'],
    ['has([BODY].constructor) == false', '{"a":1}', true, 'has([BODY].constructor) == false'],
    ['[BODY].constructor.name == Object', '{}', false, '[BODY].constructor.name (INVALID) == Object'],
    ['len([BODY].toString) > 0', '{}', false, 'len([BODY].toString) (INVALID) > 0'],
    ['[BODY].hasOwnProperty == x', '{}', false, '[BODY].hasOwnProperty (INVALID) == x'],
    ['[BODY].items.length == 2', '{"items":[1,2]}', false, '[BODY].items.length (INVALID) == 2'],
    ['[BODY].name.length == 4', '{"name":"john"}', false, '[BODY].name.length (INVALID) == 4'],
    ['[BODY].__proto__.polluted == yes', '{"__proto__":{"polluted":"yes"}}', true, '[BODY].__proto__.polluted == yes'],
  ])('%s on %s', (condition, body, success, output) => {
    expect(evaluateCondition(condition, { body })).toEqual({ success, output });
  });

  it('never pollutes Object.prototype, whatever the body holds', () => {
    const body = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}';
    for (const condition of [
      '[BODY].__proto__ == x',
      '[BODY].__proto__.polluted == yes',
      '[BODY].constructor.prototype.polluted == yes',
      '[BODY] == x',
      'len([BODY].__proto__) > 0',
    ]) {
      evaluateCondition(condition, { body }, { resolveSuccessful: true });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('hostile input cannot stall or crash evaluation', () => {
  it('matches globs without catastrophic backtracking', () => {
    const body = 'a'.repeat(200_000);
    const started = performance.now();
    expect(evaluateCondition('[BODY] == pat(*a*a*a*a*a*a*a*a*a*a*a*a*b)', { body }).success).toBe(false);
    expect(evaluateCondition('[BODY] == pat(*a?a?a?a?a?a?a?a?a?a?c*)', { body }).success).toBe(false);
    expect(evaluateCondition('[BODY] == pat(*a*a*a*a*a*a*a*a*a*a*a*a*a)', { body }).success).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('treats regular-expression syntax in patterns literally', () => {
    expect(evaluateCondition('[BODY] == pat(a.c)', { body: 'abc' }).success).toBe(false);
    expect(evaluateCondition('[BODY] == pat(a.c)', { body: 'a.c' }).success).toBe(true);
    expect(evaluateCondition('[BODY] == pat((a+)+$)', { body: '(a+)+$' }).success).toBe(true);
    expect(evaluateCondition('[BODY] == pat(^a|b$)', { body: 'b' }).success).toBe(false);
  });

  it('survives deeply nested JSON', () => {
    const depth = 100_000;
    const arrays = `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(evaluateCondition('[BODY].a == x', { body: arrays })).toEqual({
      success: false,
      output: '[BODY].a (INVALID) == x',
    });
    expect(evaluateCondition('len([BODY].a) == 1', { body: arrays }).success).toBe(true);
    expect(evaluateCondition('[BODY].a[0][0][0][0] == pat(*)', { body: arrays }).success).toBe(false);
    const objects = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    expect(evaluateCondition('[BODY].a == x', { body: objects }).output).toBe('[BODY].a (INVALID) == x');
    expect(evaluateCondition('len([BODY].a) > 0', { body: objects }).output).toBe('len([BODY].a) (INVALID) > 0');
    expect(evaluateCondition('has([BODY].a.a.a.a) == true', { body: objects }).success).toBe(true);
  });

  it('limits [*] expansion (two wildcards are a cross product)', () => {
    const body = JSON.stringify({ a: Array.from({ length: 1000 }, (_, i) => i), b: Array.from({ length: 1000 }, (_, i) => i) });
    const started = performance.now();
    expect(evaluateCondition('[BODY].a[*] <= [BODY].b[*]', { body })).toEqual({
      success: false,
      output: '[BODY].a[*] <= [BODY].b[*] (too many elements: more than 100000 evaluations)',
    });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(evaluateCondition('[BODY].a[*] >= 0', { body }, { maxWildcardEvaluations: 999 }).output).toBe(
      '[BODY].a[*] >= 0 (too many elements: more than 999 evaluations)',
    );
    expect(evaluateCondition('[BODY].a[*] >= 0', { body }, { maxWildcardEvaluations: 1000 }).success).toBe(true);
  });

  it('cuts long values and escapes control characters in the output', () => {
    const long = evaluateCondition('[BODY] == ok', { body: 'x'.repeat(100_000) });
    expect(long.output).toBe(`[BODY] (${'x'.repeat(200)}...(truncated)) == ok`);
    const control = evaluateCondition('[BODY].s == ok', { body: JSON.stringify({ s: 'a\u001b[31mred\nnext\tcol\r' }) });
    expect(control.output).toBe('[BODY].s (a\\u001b[31mred\\nnext\\tcol\\r) == ok');
  });

  it('never throws on odd contexts', () => {
    const odd = [
      { status: Number.NaN, responseTimeMs: Number.POSITIVE_INFINITY, certificateExpirationMs: -0 },
      { body: 42 as unknown as string, ip: null as unknown as string, connected: 'yes' as unknown as boolean },
      { body: '' },
      { body: '\u0000\uffff\ud800' },
      { body: '[1,2' },
      { body: 'null' },
      { body: '"just a string"' },
    ] satisfies ConditionContext[];
    const conditions = [
      '[STATUS] == 0',
      '[RESPONSE_TIME] < 1',
      '[CERTIFICATE_EXPIRATION] > 48h',
      '[BODY].a[0].b == 1',
      'len([BODY]) >= 0',
      'has([BODY].x) == false',
      '[BODY][*] == 1',
      '[IP] == pat(*)',
      '[CONNECTED] == false',
    ];
    for (const context of odd) {
      for (const condition of conditions) {
        const result = evaluateCondition(condition, context);
        expect(typeof result.success).toBe('boolean');
        expect(typeof result.output).toBe('string');
      }
    }
    expect(evaluateCondition('[STATUS] == 0', odd[0]!).success).toBe(true);
    expect(evaluateCondition('[CONNECTED] == false', odd[1]!).success).toBe(true);
    expect(evaluateCondition('len([BODY]) == 0', odd[1]!).success).toBe(true);
  });
});
