/** Redaction of definitions and targets, and restoring `***` from the stored definition. */
import { describe, expect, it } from 'vitest';
import { describeTarget, redactDefinition, redactUrlText, restoreRedacted } from '../../src/api/redact.js';
import { type MonitorConfig, parseConfigSources } from '../../src/config/index.js';

function load(yaml: string): MonitorConfig[] {
  return parseConfigSources([{ file: 'vigil.yaml', text: yaml }], { env: {} }).config.monitors;
}

describe('redactUrlText', () => {
  it.each([
    ['https://user:pw@example.com/x', 'https://user:***@example.com/x'],
    ['https://ghp_token123@github.com/org', 'https://***@github.com/org'],
    ['https://example.com/h?token=abc&page=2', 'https://example.com/h?token=***&page=2'],
    ['https://example.com/h?apiKey=abc&sig=x&session_id=s', 'https://example.com/h?apiKey=***&sig=***&session_id=***'],
    ['https://example.com/cb#access_token=abc', 'https://example.com/cb#***'],
    ['postgres://u:p%40ss@db:5432/app?password=x', 'postgres://u:***@db:5432/app?password=***'],
    ['not a url, password=hunter2 at ftp://a:b@', 'not a url, password=*** at ftp://a:***@'],
  ])('%s → %s', (input, output) => {
    expect(redactUrlText(input)).toBe(output);
  });

  it('leaves other text and clean URLs byte for byte', () => {
    for (const text of ['Shop API', '[STATUS] == 200', 'HTTP://Example.com/a?b=1', 'https://example.com']) {
      expect(redactUrlText(text)).toBe(text);
    }
  });
});

describe('redactDefinition', () => {
  it('hides schema secrets of every type, keeping their shape', () => {
    const definitions: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [
        {
          type: 'http',
          name: 'a',
          url: 'https://x',
          headers: { 'X-Key': 'k' },
          auth: { basic: { username: 'u', password: 'p' } },
          body: 'b',
          conditions: ['[STATUS] == 200'],
        },
        {
          type: 'http',
          name: 'a',
          url: 'https://x',
          headers: { 'X-Key': '***' },
          auth: { basic: { username: '***', password: '***' } },
          body: '***',
          conditions: ['[STATUS] == 200'],
        },
      ],
      [
        { type: 'redis', name: 'r', url: 'redis://:pw@cache:6379/0', password: 'pw2' },
        { type: 'redis', name: 'r', url: '***', password: '***' },
      ],
      [
        { type: 'heartbeat', name: 'h', ping_key: 'abcdefgh12', schedule: { period: '1h' } },
        { type: 'heartbeat', name: 'h', ping_key: '***', schedule: { period: '1h' } },
      ],
      // Secret-like names are hidden even where the schema does not know them.
      [
        { type: 'future', name: 'f', api_key: 'k', nested: { client_secret: 's', list: [{ token: 't' }] } },
        { type: 'future', name: 'f', api_key: '***', nested: { client_secret: '***', list: [{ token: '***' }] } },
      ],
    ];
    for (const [input, output] of definitions) expect(redactDefinition(input)).toEqual(output);
  });

  it('treats a key the schema walk cannot follow as secret', () => {
    const odd = JSON.parse('{"type":"http","name":"a","constructor":"c","__proto__":{"x":"y"}}');
    expect(redactDefinition(odd)).toEqual(JSON.parse('{"type":"http","name":"a","constructor":"***","__proto__":{"x":"***"}}'));
  });

  it('works on loaded (resolved) monitors too', () => {
    const [monitor] = load(`
monitors:
  - name: DB
    type: mysql
    url: mysql://app:pw@db:3306/app
    password: other
`);
    const redacted = redactDefinition(monitor as unknown as Record<string, unknown>);
    expect(redacted).toMatchObject({ url: '***', password: '***', interval: 60_000, id: 'db' });
    expect(JSON.stringify(redacted)).not.toMatch(/pw|other/);
  });
});

describe('restoreRedacted', () => {
  const stored = {
    type: 'http',
    name: 'a',
    url: 'https://u:pw@x.example/h?token=t1&q=1',
    headers: { 'X-Key': 'k1', 'X-Other': 'o1' },
    auth: { bearer: 'b1' },
  };

  it('takes every "***" from the stored definition, by path', () => {
    const sent = {
      type: 'http',
      name: 'b',
      url: 'https://u:***@x.example/h?token=***&q=2',
      headers: { 'X-Key': '***', 'X-Other': 'new' },
      auth: { bearer: '***' },
    };
    expect(restoreRedacted(sent, stored)).toEqual({
      type: 'http',
      name: 'b',
      url: 'https://u:pw@x.example/h?token=t1&q=2',
      headers: { 'X-Key': 'k1', 'X-Other': 'new' },
      auth: { bearer: 'b1' },
    });
  });

  it('refuses "***" where nothing is stored', () => {
    expect(() => restoreRedacted({ headers: { 'X-New': '***' } }, stored)).toThrow(
      'headers["X-New"]: is "***" (a redacted secret) but there is no stored value to keep; send the value',
    );
    expect(() => restoreRedacted({ url: 'https://u:***@y.example/' }, { url: 'https://y.example/' })).toThrow(
      /^url: the URL holds "\*\*\*" but there is no stored value to keep/,
    );
  });

  it('is the inverse of redaction for a round trip', () => {
    expect(restoreRedacted(redactDefinition(stored), stored)).toEqual(stored);
  });
});

describe('describeTarget', () => {
  it('says what each type checks, without secrets', () => {
    const monitors = load(`
monitors:
  - { name: web, type: http, url: "https://u:pw@web.example/health?key=k1" }
  - { name: post, type: http, method: POST, url: "https://web.example/hook" }
  - { name: hc, type: health, url: "http://127.0.0.1:8000/health" }
  - { name: tcp, type: tcp, host: "::1", port: 5432 }
  - { name: tls, type: tls, host: example.com }
  - { name: dns, type: dns, query_name: example.com, record_type: MX, resolver: "1.1.1.1:53" }
  - { name: dns2, type: dns, query_name: example.org }
  - { name: pg, type: postgres, url: "postgres://mon:pw@db:5432/app?sslpassword=x" }
  - { name: my, type: mysql, url: "mysql://db/app" }
  - { name: redis, type: redis, url: "rediss://:pw@cache:6380/2" }
  - { name: mq, type: rabbitmq, url: "amqp://u:pw@mq/vhost", queue: orders }
  - { name: hb1, type: heartbeat, schedule: { period: 1h, grace: 10m }, ping_key: secretkey123 }
  - { name: hb2, type: heartbeat, schedule: { cron: "0 3 * * *", timezone: Europe/Paris } }
`);
    expect(monitors.map(describeTarget)).toEqual([
      'https://u:***@web.example/health?key=***',
      'POST https://web.example/hook',
      'http://127.0.0.1:8000/health',
      '[::1]:5432',
      'example.com:443',
      'example.com MX @1.1.1.1:53',
      'example.org A',
      'postgres://db:5432/app',
      'mysql://db/app',
      'rediss://cache:6380/2',
      'amqp://mq/vhost queue orders',
      'heartbeat every 1h, grace 10m',
      'heartbeat cron "0 3 * * *" (Europe/Paris), grace 1h',
    ]);
  });
});
