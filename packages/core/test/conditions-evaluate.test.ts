import { describe, expect, it } from 'vitest';
import { type ConditionContext, evaluateCondition, parseCondition } from '../src/conditions/index.js';

const HOUR = 3_600_000;
const html =
  '<!DOCTYPE html><html lang="en"><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /></head><body><div id="user">john.doe</div></body></html>';

type Case = [condition: string, context: ConditionContext, success: boolean, output: string];

function table(cases: Case[]): void {
  it.each(cases)('%s  %j', (condition, context, success, output) => {
    expect(evaluateCondition(parseCondition(condition), context)).toEqual({ success, output });
  });
}

describe('evaluateCondition: [STATUS] and operators', () => {
  table([
    ['[STATUS] == 200', { status: 200 }, true, '[STATUS] == 200'],
    ['[STATUS] == 200', { status: 500 }, false, '[STATUS] (500) == 200'],
    ['[STATUS] != 200', { status: 500 }, true, '[STATUS] != 200'],
    ['[STATUS] != 200', { status: 200 }, false, '[STATUS] (200) != 200'],
    ['[STATUS] < 300', { status: 201 }, true, '[STATUS] < 300'],
    ['[STATUS] < 300', { status: 300 }, false, '[STATUS] (300) < 300'],
    ['[STATUS] < 300', { status: 404 }, false, '[STATUS] (404) < 300'],
    ['[STATUS] <= 299', { status: 299 }, true, '[STATUS] <= 299'],
    ['[STATUS] <= 299', { status: 301 }, false, '[STATUS] (301) <= 299'],
    ['[STATUS] > 400', { status: 401 }, true, '[STATUS] > 400'],
    ['[STATUS] > 400', { status: 400 }, false, '[STATUS] (400) > 400'],
    ['[STATUS] >= 400', { status: 400 }, true, '[STATUS] >= 400'],
    ['[STATUS] >= 400', { status: 399 }, false, '[STATUS] (399) >= 400'],
    ['[STATUS] == any(200, 201)', { status: 201 }, true, '[STATUS] == any(200, 201)'],
    ['[STATUS] == any(200, 429)', { status: 404 }, false, '[STATUS] (404) == any(200, 429)'],
    ['any(200, 429) == [STATUS]', { status: 429 }, true, 'any(200, 429) == [STATUS]'],
    ['[STATUS] != any(500, 503)', { status: 200 }, true, '[STATUS] != any(500, 503)'],
    ['[STATUS] != any(500, 503)', { status: 503 }, false, '[STATUS] (503) != any(500, 503)'],
    ['[STATUS] == pat(4*)', { status: 404 }, true, '[STATUS] == pat(4*)'],
    ['[STATUS] == pat(4*)', { status: 200 }, false, '[STATUS] (200) == pat(4*)'],
    // Missing values resolve as in Gatus: a status of 0.
    ['[STATUS] == 200', {}, false, '[STATUS] (0) == 200'],
    ['[STATUS] == 0', {}, true, '[STATUS] == 0'],
    ['1 == 2', {}, false, '1 == 2'],
    ['raw == raw', {}, true, 'raw == raw'],
  ]);
});

describe('evaluateCondition: other placeholders', () => {
  table([
    ['[RESPONSE_TIME] < 300', { responseTimeMs: 120 }, true, '[RESPONSE_TIME] < 300'],
    ['[RESPONSE_TIME] < 300', { responseTimeMs: 512 }, false, '[RESPONSE_TIME] (512) < 300'],
    ['[RESPONSE_TIME] < 300', { responseTimeMs: 299.9 }, true, '[RESPONSE_TIME] < 300'],
    ['[RESPONSE_TIME] <= 500', { responseTimeMs: 500 }, true, '[RESPONSE_TIME] <= 500'],
    ['[RESPONSE_TIME] >= 500', { responseTimeMs: 499 }, false, '[RESPONSE_TIME] (499) >= 500'],
    ['[RESPONSE_TIME] < 1s', { responseTimeMs: 50 }, true, '[RESPONSE_TIME] < 1s'],
    ['[RESPONSE_TIME] > 1s', { responseTimeMs: 2000 }, true, '[RESPONSE_TIME] > 1s'],
    ['[RESPONSE_TIME] < 500ms', { responseTimeMs: 700 }, false, '[RESPONSE_TIME] (700) < 500ms'],
    ['[RESPONSE_TIME] < 0', {}, false, '[RESPONSE_TIME] (0) < 0'],
    ['[CERTIFICATE_EXPIRATION] > 48h', { certificateExpirationMs: 60 * 24 * HOUR }, true, '[CERTIFICATE_EXPIRATION] > 48h'],
    ['[CERTIFICATE_EXPIRATION] > 48h', { certificateExpirationMs: 24 * HOUR }, false, '[CERTIFICATE_EXPIRATION] (24h) > 48h'],
    ['[CERTIFICATE_EXPIRATION] > 12h', { certificateExpirationMs: 24 * HOUR }, true, '[CERTIFICATE_EXPIRATION] > 12h'],
    ['[CERTIFICATE_EXPIRATION] > 30m', { certificateExpirationMs: 29 * 60_000 }, false, '[CERTIFICATE_EXPIRATION] (29m) > 30m'],
    ['[CERTIFICATE_EXPIRATION] > 1h30m', { certificateExpirationMs: 91 * 60_000 }, true, '[CERTIFICATE_EXPIRATION] > 1h30m'],
    ['[CERTIFICATE_EXPIRATION] > 1h30m', { certificateExpirationMs: 89 * 60_000 }, false, '[CERTIFICATE_EXPIRATION] (1h29m) > 1h30m'],
    [
      '[CERTIFICATE_EXPIRATION] > 2419200000',
      { certificateExpirationMs: 14 * 24 * HOUR },
      false,
      '[CERTIFICATE_EXPIRATION] (336h) > 2419200000',
    ],
    ['[CERTIFICATE_EXPIRATION] > 48h', {}, false, '[CERTIFICATE_EXPIRATION] (0s) > 48h'],
    ['[CERTIFICATE_EXPIRATION] == 0', {}, true, '[CERTIFICATE_EXPIRATION] == 0'],
    ['[CERTIFICATE_EXPIRATION] > 0', { certificateExpirationMs: -HOUR }, false, '[CERTIFICATE_EXPIRATION] (-1h) > 0'],
    ['[DOMAIN_EXPIRATION] > 720h', { domainExpirationMs: 4000 * HOUR }, true, '[DOMAIN_EXPIRATION] > 720h'],
    ['[DOMAIN_EXPIRATION] > 720h', { domainExpirationMs: 100 * HOUR + 15_000 }, false, '[DOMAIN_EXPIRATION] (100h0m15s) > 720h'],
    ['[CONNECTED] == true', { connected: true }, true, '[CONNECTED] == true'],
    ['[CONNECTED] == true', { connected: false }, false, '[CONNECTED] (false) == true'],
    ['[CONNECTED] == true', {}, false, '[CONNECTED] (false) == true'],
    ['[CONNECTED] == false', {}, true, '[CONNECTED] == false'],
    ['[DNS_RCODE] == NOERROR', { dnsRcode: 'NOERROR' }, true, '[DNS_RCODE] == NOERROR'],
    ['[DNS_RCODE] == NOERROR', { dnsRcode: 'NXDOMAIN' }, false, '[DNS_RCODE] (NXDOMAIN) == NOERROR'],
    ['[DNS_RCODE] == NOERROR', {}, false, '[DNS_RCODE] () == NOERROR'],
    ['[IP] == 127.0.0.1', { ip: '127.0.0.1' }, true, '[IP] == 127.0.0.1'],
    ['[IP] == 127.0.0.1', { ip: '10.0.0.1' }, false, '[IP] (10.0.0.1) == 127.0.0.1'],
    ['[IP] == pat(10.*)', { ip: '10.0.0.0' }, true, '[IP] == pat(10.*)'],
    ['[IP] == pat(10.*)', { ip: '255.255.255.255' }, false, '[IP] (255.255.255.255) == pat(10.*)'],
    ['[IP] == any(127.0.0.1, ::1)', { ip: '::1' }, true, '[IP] == any(127.0.0.1, ::1)'],
    // Placeholder names are case-insensitive, as in Gatus; the output keeps them as written.
    ['[status] == 200', { status: 500 }, false, '[status] (500) == 200'],
  ]);
});

describe('evaluateCondition: [BODY] and JSON paths', () => {
  const user = JSON.stringify({ user: { firstName: 'john', lastName: 'doe' } });
  table([
    ['[BODY] == test', { body: 'test' }, true, '[BODY] == test'],
    ['[BODY] == test', { body: '  test\n' }, true, '[BODY] == test'],
    ['[BODY] == 123', { body: '123' }, true, '[BODY] == 123'],
    ['[BODY] < 124', { body: '123' }, true, '[BODY] < 124'],
    ['[BODY] > 123', { body: '100' }, false, '[BODY] (100) > 123'],
    ['[BODY] == ok', {}, false, '[BODY] () == ok'],
    ['[BODY].status == UP', { body: '{"status":"UP"}' }, true, '[BODY].status == UP'],
    ['[BODY].status == UP', { body: '{"status":"DOWN"}' }, false, '[BODY].status (DOWN) == UP'],
    ['[BODY].status == UP', { body: '{}' }, false, '[BODY].status (INVALID) == UP'],
    ['[BODY].status == UP', { body: 'not json' }, false, '[BODY].status (INVALID) == UP'],
    ['[BODY].status == UP', {}, false, '[BODY].status (INVALID) == UP'],
    ['[BODY].data.name == john', { body: '{"data": {"id": 1, "name": "john"}}' }, true, '[BODY].data.name == john'],
    ['[BODY].data.name == john', { body: '{"data": {"id": 1}}' }, false, '[BODY].data.name (INVALID) == john'],
    ['[BODY].a.b.c.d == deep', { body: '{"a":{"b":{"c":{"d":"deep"}}}}' }, true, '[BODY].a.b.c.d == deep'],
    ['[BODY].data[0].id == 1', { body: '{"data":[{"id":1},{"id":2}]}' }, true, '[BODY].data[0].id == 1'],
    ['[BODY].data[1].id == 1', { body: '{"data":[{"id":1},{"id":2}]}' }, false, '[BODY].data[1].id (2) == 1'],
    ['[BODY].data[5].id == 1', { body: '{"data":[{"id":1}]}' }, false, '[BODY].data[5].id (INVALID) == 1'],
    ['[BODY][0].id == 1', { body: '[{"id": 1}, {"id": 2}]' }, true, '[BODY][0].id == 1'],
    ['[BODY][0].name == test', { body: '{"statusCode": 500}' }, false, '[BODY][0].name (INVALID) == test'],
    ['[BODY].matrix[1][0] == 3', { body: '{"matrix":[[1,2],[3,4]]}' }, true, '[BODY].matrix[1][0] == 3'],
    ['[BODY].data == OK', { body: '{"data": null}' }, false, '[BODY].data (INVALID) == OK'],
    ['[BODY].items[0] == OK', { body: '{"items": [null, null]}' }, false, '[BODY].items[0] (INVALID) == OK'],
    ['[BODY].data == OK', { body: 'null' }, false, '[BODY].data (INVALID) == OK'],
    ['[BODY].name.first == x', { body: '{"name":"john"}' }, false, '[BODY].name.first (INVALID) == x'],
    ['[BODY].data.id > 0', { body: '{"data": {"id": 1}}' }, true, '[BODY].data.id > 0'],
    ['[BODY].data.id > 5', { body: '{"data": {"id": 1}}' }, false, '[BODY].data.id (1) > 5'],
    ['[BODY].data.id < 5', { body: '{"data": {"id": 10}}' }, false, '[BODY].data.id (10) < 5'],
    ['[BODY].ok == true', { body: '{"ok":true}' }, true, '[BODY].ok == true'],
    ['[BODY].meta == {"a":1,"b":2}', { body: '{"meta":{"b":2,"a":1}}' }, true, '[BODY].meta == {"a":1,"b":2}'],
    ['[BODY].tags == pat(*beta*)', { body: '{"tags":["alpha","beta"]}' }, true, '[BODY].tags == pat(*beta*)'],
    ['[BODY].tags == x', { body: '{"tags":["alpha","beta"]}' }, false, '[BODY].tags ([alpha beta]) == x'],
    ['[BODY].user.firstName != [BODY].user.lastName', { body: user }, true, '[BODY].user.firstName != [BODY].user.lastName'],
    [
      '[BODY].user.firstName == [BODY].user.lastName',
      { body: user },
      false,
      '[BODY].user.firstName (john) == [BODY].user.lastName (doe)',
    ],
    ['[BODY].used < [BODY].limit', { body: '{"used":9,"limit":10}' }, true, '[BODY].used < [BODY].limit'],
    ['[BODY].used < [BODY].limit', { body: '{"used":10,"limit":9}' }, false, '[BODY].used (10) < [BODY].limit (9)'],
    ['[BODY].used < [BODY].limit', { body: '{"used":10}' }, false, '[BODY].used (10) < [BODY].limit (INVALID)'],
    ['[STATUS] == [BODY].status', { status: 200, body: '{"status":200}' }, true, '[STATUS] == [BODY].status'],
    ['[BODY].age == [BODY].id', { body: '{"age":1,"id":1}' }, true, '[BODY].age == [BODY].id'],
    // Keys are case-sensitive and may contain spaces, as in JSON.
    ['[BODY].Full Name == Jane Doe', { body: '{"Full Name":"Jane Doe"}' }, true, '[BODY].Full Name == Jane Doe'],
    ['[BODY].name == John Doe', { body: '{"name":"John Doe"}' }, true, '[BODY].name == John Doe'],
  ]);
});

describe('evaluateCondition: numbers compare numerically, everything else as strings', () => {
  table([
    ['[BODY].data == 1', { body: '{"data": "0x1"}' }, true, '[BODY].data == 1'],
    ['[BODY].data == 15', { body: '{"data": "0xF"}' }, true, '[BODY].data == 15'],
    ['[BODY].data == 12648243', { body: '{"data": "0xC0ff33"}' }, true, '[BODY].data == 12648243'],
    ['[BODY].data == 0o2', { body: '{"data": "0o2"}' }, true, '[BODY].data == 0o2'],
    ['[BODY].data == 0b10', { body: '{"data": "0b0010"}' }, true, '[BODY].data == 0b10'],
    ['[BODY].data > 0', { body: '{"data": "0b1"}' }, true, '[BODY].data > 0'],
    ['[BODY].balance > 100', { body: '{"balance": "123.40000000000005"}' }, true, '[BODY].balance > 100'],
    ['[BODY].ratio > 0.5', { body: '{"ratio": 0.75}' }, true, '[BODY].ratio > 0.5'],
    ['[BODY].ratio < 0.5', { body: '{"ratio": 0.75}' }, false, '[BODY].ratio (0.75) < 0.5'],
    ['[BODY].price == 1.50', { body: '{"price": 1.5}' }, true, '[BODY].price == 1.50'],
    ['[BODY].big == 9007199254740993', { body: '{"big": "9007199254740993"}' }, true, '[BODY].big == 9007199254740993'],
    ['[BODY].big == 9007199254740992', { body: '{"big": "9007199254740993"}' }, false, '[BODY].big (9007199254740993) == 9007199254740992'],
    ['[BODY].count == 1000000', { body: '{"count": 1000000}' }, true, '[BODY].count == 1000000'],
    ['[BODY].n > -1', { body: '{"n": -0.5}' }, true, '[BODY].n > -1'],
    // Strings order lexicographically: ISO dates work.
    ['[BODY].date > 2024-01-01', { body: '{"date":"2024-06-30"}' }, true, '[BODY].date > 2024-01-01'],
    ['[BODY].date > 2024-01-01', { body: '{"date":"2023-12-31"}' }, false, '[BODY].date (2023-12-31) > 2024-01-01'],
    // A number never orders against a non-number: the condition fails.
    ['[BODY].count > 5', { body: '{"count":"n/a"}' }, false, '[BODY].count (n/a) > 5'],
    ['[RESPONSE_TIME] < potato', { responseTimeMs: 50 }, false, '[RESPONSE_TIME] (50) < potato'],
    // Durations compare with durations and with milliseconds.
    ['[BODY].uptime > 1h', { body: '{"uptime":"90m"}' }, true, '[BODY].uptime > 1h'],
    ['[BODY].uptime == 2h', { body: '{"uptime":"120m"}' }, true, '[BODY].uptime == 2h'],
    // Equality is exact for strings.
    ['[CONNECTED] == TRUE', { connected: true }, false, '[CONNECTED] (true) == TRUE'],
  ]);
});

describe('evaluateCondition: len, has, pat, any', () => {
  table([
    ['len([BODY].items) > 0', { body: '{"items":[1,2]}' }, true, 'len([BODY].items) > 0'],
    ['len([BODY].items) > 0', { body: '{"items":[]}' }, false, 'len([BODY].items) (0) > 0'],
    ['len([BODY].items) > 0', { body: '{}' }, false, 'len([BODY].items) (INVALID) > 0'],
    ['len([BODY].data) == 3', { body: '{"data": [{"id": 1}, {"id": 2}, {"id": 3}]}' }, true, 'len([BODY].data) == 3'],
    ['len([BODY].data) < 5', { body: '{"data":[{"id":1}]}' }, true, 'len([BODY].data) < 5'],
    ['len([BODY].name) == 4', { body: '{"name":"john"}' }, true, 'len([BODY].name) == 4'],
    ['len([BODY].name) == 8', { body: '{"name":"bob"}' }, false, 'len([BODY].name) (3) == 8'],
    ['len([BODY].name) == 4', { body: '{"name":"josé"}' }, true, 'len([BODY].name) == 4'],
    ['len([BODY].data.name) == john', { body: '{"data": {"id": 1}}' }, false, 'len([BODY].data.name) (INVALID) == john'],
    ['len([BODY].age) == 2', { body: '{"age":18}' }, true, 'len([BODY].age) == 2'],
    ['len([BODY].adult) == 4', { body: '{"adult":true}' }, true, 'len([BODY].adult) == 4'],
    ['len([BODY][0]) == 23', { body: '[{"age":18,"adult":true}]' }, true, 'len([BODY][0]) == 23'],
    ['len([BODY][0].age) == 2', { body: '[{"age":18,"adult":true}]' }, true, 'len([BODY][0].age) == 2'],
    ['len([BODY]) == 3', { body: '[{"id": 1}, {"id": 2}, {"id": 3}]' }, true, 'len([BODY]) == 3'],
    ['len([BODY]) == 8', { body: 'john.doe' }, true, 'len([BODY]) == 8'],
    ['len([BODY]) == 20', { body: '{"name": "john.doe"}' }, true, 'len([BODY]) == 20'],
    ['len([BODY]) == 0', {}, true, 'len([BODY]) == 0'],
    ['len([IP]) > 0', {}, false, 'len([IP]) (0) > 0'],
    ['has([BODY].errors) == false', { body: '{}' }, true, 'has([BODY].errors) == false'],
    ['has([BODY].errors) == false', { body: '{"errors": ["1"]}' }, false, 'has([BODY].errors) (true) == false'],
    ['has([BODY].errors) == false', { body: '{"errors": null}' }, true, 'has([BODY].errors) == false'],
    ['has([BODY].users) == true', { body: '{"users":[]}' }, true, 'has([BODY].users) == true'],
    ['has([BODY].users) == true', { body: '{}' }, false, 'has([BODY].users) (false) == true'],
    ['has([BODY].users[0].name) == true', { body: '{"users":[{"name":"a"}]}' }, true, 'has([BODY].users[0].name) == true'],
    ['has([BODY].x) == false', { body: 'not json' }, true, 'has([BODY].x) == false'],
    ['has([BODY]) == true', { body: '  ' }, false, 'has([BODY]) (false) == true'],
    ['has([IP]) == true', { ip: '10.0.0.1' }, true, 'has([IP]) == true'],
    ['has([IP]) == true', {}, false, 'has([IP]) (false) == true'],
    ['[BODY] == pat(*ok*)', { body: 'all ok here' }, true, '[BODY] == pat(*ok*)'],
    ['[BODY] == pat(*ok*)', { body: 'failure' }, false, '[BODY] (failure) == pat(*ok*)'],
    ['[BODY] != pat(*error*)', { body: 'fine' }, true, '[BODY] != pat(*error*)'],
    ['[BODY] == pat(*john*)', { body: '{"name": "john.doe"}' }, true, '[BODY] == pat(*john*)'],
    ['[BODY].name == pat(john*)', { body: '{"name": "john.doe"}' }, true, '[BODY].name == pat(john*)'],
    ['[BODY].name == pat(bob*)', { body: '{"name": "john.doe"}' }, false, '[BODY].name (john.doe) == pat(bob*)'],
    ['[BODY].name == pat(jo?n*)', { body: '{"name": "joan"}' }, true, '[BODY].name == pat(jo?n*)'],
    ['[BODY].data == pat(*Whatever*)', { body: '{"data": ["hello", "world", "Whatever"]}' }, true, '[BODY].data == pat(*Whatever*)'],
    ['[BODY] == pat(*<div id="user">john.doe</div>*)', { body: html }, true, '[BODY] == pat(*<div id="user">john.doe</div>*)'],
    [
      '[BODY] == pat(*<div id="user">john.doe</div>*)',
      { body: html.replace('john', 'jane') },
      false,
      '[BODY] (<!DOCTYPE html><html lang...(truncated)) == pat(*<div id="user">john.doe</div>*)',
    ],
    [
      'pat(*<div id="user">john.doe</div>*) == [BODY]',
      { body: html.replace('john', 'jane') },
      false,
      'pat(*<div id="user">john.doe</div>*) == [BODY] (<!DOCTYPE html><html lang...(truncated))',
    ],
    ['[BODY].name == any(john.doe, jane.doe)', { body: '{"name": "jane.doe"}' }, true, '[BODY].name == any(john.doe, jane.doe)'],
    ['[BODY].name == any(john.doe, jane.doe)', { body: '{"name": "bob"}' }, false, '[BODY].name (bob) == any(john.doe, jane.doe)'],
    ['[BODY].id == any(1, 2)', { body: '{"id": 2}' }, true, '[BODY].id == any(1, 2)'],
    ['[BODY].id == any(1, 2)', { body: '{"id": 3}' }, false, '[BODY].id (3) == any(1, 2)'],
    ['[BODY].id == any(1, 2)', { body: '{}' }, false, '[BODY].id (INVALID) == any(1, 2)'],
    ['[BODY].id != any(1, 2)', { body: '{}' }, false, '[BODY].id (INVALID) != any(1, 2)'],
  ]);
});

describe('evaluateCondition: [*] wildcards (every element must match)', () => {
  const items = JSON.stringify({ items: [{ status: 'UP' }, { status: 'UP' }, { status: 'DOWN' }] });
  table([
    ['[BODY].items[*].status == UP', { body: '{"items":[{"status":"UP"},{"status":"UP"}]}' }, true, '[BODY].items[*].status == UP'],
    ['[BODY].items[*].status == UP', { body: items }, false, '[BODY].items[2].status (DOWN) == UP'],
    ['[BODY].items[*].status == UP', { body: '{"items":[]}' }, false, '[BODY].items[*].status == UP (no elements matched)'],
    ['[BODY].items[*].status == UP', { body: '{}' }, false, '[BODY].items[*].status == UP (no elements matched)'],
    ['[BODY][*].ok == true', { body: '[{"ok":false},{"ok":false}]' }, false, '[BODY][0].ok (false) == true; [BODY][1].ok (false) == true'],
    ['len([BODY].groups[*].members) > 0', { body: '{"groups":[{"members":[1]},{"members":[]}]}' }, false, 'len([BODY].groups[1].members) (0) > 0'],
    ['[BODY].a[*][*] > 0', { body: '{"a":[[1,2],[3,-4]]}' }, false, '[BODY].a[1][1] (-4) > 0'],
  ]);

  it('lists the first failing elements and counts the rest', () => {
    const body = JSON.stringify({ items: Array.from({ length: 8 }, () => ({ status: 'DOWN' })) });
    const result = evaluateCondition('[BODY].items[*].status == UP', { body });
    expect(result.success).toBe(false);
    expect(result.output).toBe(
      '[BODY].items[0].status (DOWN) == UP; [BODY].items[1].status (DOWN) == UP; [BODY].items[2].status (DOWN) == UP; ' +
        '[BODY].items[3].status (DOWN) == UP; [BODY].items[4].status (DOWN) == UP; … and 3 more',
    );
  });

  it('shows the element count on success with resolveSuccessful', () => {
    const result = evaluateCondition(
      '[BODY].items[*].status == UP',
      { body: '{"items":[{"status":"UP"},{"status":"UP"}]}' },
      { resolveSuccessful: true },
    );
    expect(result).toEqual({ success: true, output: '[BODY].items[*].status == UP (2 elements)' });
  });
});

describe('evaluateCondition: options and inputs', () => {
  it('resolves successful conditions on request (Gatus resolve-successful-conditions)', () => {
    expect(evaluateCondition('[BODY].status == UP', { body: '{"status":"UP"}' }, { resolveSuccessful: true })).toEqual({
      success: true,
      output: '[BODY].status (UP) == UP',
    });
  });

  it('leaves failed conditions unresolved on request (Gatus dont-resolve-failed-conditions)', () => {
    expect(evaluateCondition('[STATUS] == any(200, 429)', { status: 404 }, { resolveFailed: false })).toEqual({
      success: false,
      output: '[STATUS] == any(200, 429)',
    });
  });

  it('accepts a string and parses it', () => {
    expect(evaluateCondition('[STATUS] == 200', { status: 200 }).success).toBe(true);
    expect(() => evaluateCondition('[STATUS] === 200', { status: 200 })).toThrow(/unknown operator/);
  });

  it('tolerates extra whitespace, and shows the condition trimmed', () => {
    expect(evaluateCondition('  [STATUS]   ==   200  ', { status: 200 })).toEqual({
      success: true,
      output: '[STATUS]   ==   200',
    });
    expect(evaluateCondition('\t[STATUS]\t<\t300 ', { status: 500 })).toEqual({
      success: false,
      output: '[STATUS] (500) < 300',
    });
    expect(evaluateCondition('len( [BODY].items ) > 0', { body: '{"items":[1]}' }).success).toBe(true);
    expect(evaluateCondition('[STATUS] == any(200 ,  201 )', { status: 201 }).success).toBe(true);
  });

  it('uses a default empty context', () => {
    expect(evaluateCondition(parseCondition('[CONNECTED] == false'))).toEqual({
      success: true,
      output: '[CONNECTED] == false',
    });
  });

  it('evaluates one parsed condition against many contexts', () => {
    const condition = parseCondition('[BODY].status == UP');
    const results = ['UP', 'DOWN', 'UP'].map((status) => evaluateCondition(condition, { body: JSON.stringify({ status }) }));
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
  });
});
