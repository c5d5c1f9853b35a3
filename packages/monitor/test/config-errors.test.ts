/**
 * Invalid configurations: every problem reported at once as `file:line:col: field: message`, with the exact
 * position in the file, a suggestion for a close unknown key or type, and never a secret value.
 */
import { describe, expect, test } from 'vitest';
import { ConfigError, type ConfigSource, formatIssue, parseConfigSources } from '../src/config/index.js';

/** The problem lines for YAML text (one file, `vigil.yaml`), or for several files. */
function problems(input: string | ConfigSource[], env: Record<string, string> = {}): string[] {
  const sources = typeof input === 'string' ? [{ file: 'vigil.yaml', text: input }] : input;
  try {
    parseConfigSources(sources, { env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map(formatIssue);
  }
  throw new Error('expected the configuration to be rejected');
}

/** A monitors list with one monitor of the given lines (indented under `- `). */
const monitor = (...lines: string[]) => `monitors:\n  - ${lines.join('\n    ')}\n`;

const cases: Array<[string, string, string[]]> = [
  [
    'keys named like Object.prototype members (no crash, each named)',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'constructor: 1', '__proto__: 2'),
    [
      'vigil.yaml:5:5: monitors[0].constructor: unknown key "constructor"',
      'vigil.yaml:6:5: monitors[0].__proto__: unknown key "__proto__"',
    ],
  ],
  [
    'a duration that is not one',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'interval: fast'),
    ['vigil.yaml:5:15: monitors[0].interval: expected a duration like "30s" or "5m", got "fast"'],
  ],
  [
    'an interval under one second',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'interval: 500ms', 'timeout: 100ms'),
    ['vigil.yaml:5:15: monitors[0].interval: must be at least 1s, got "500ms"'],
  ],
  [
    'a negative number of seconds',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'timeout: -1'),
    ['vigil.yaml:5:14: monitors[0].timeout: must not be negative, got -1'],
  ],
  [
    'a timeout not shorter than the interval',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'interval: 10s', 'timeout: 10s'),
    ['vigil.yaml:6:14: monitors[0].timeout: must be shorter than the interval, 10s'],
  ],
  [
    'an interval shorter than the default timeout',
    monitor('name: API', 'type: tcp', 'host: 127.0.0.1', 'port: 80', 'interval: 5s'),
    [
      'vigil.yaml:6:15: monitors[0].interval: must be longer than the timeout, 10s (defaults.timeout): set a shorter timeout on this monitor',
    ],
  ],
  [
    'defaults that clash',
    'defaults:\n  interval: 5s\n  timeout: 1m\n',
    ['vigil.yaml:3:12: defaults.timeout: must be shorter than defaults.interval (5s)'],
  ],
  [
    'an unknown key close to a known one',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'intervl: 30s'),
    ['vigil.yaml:5:5: monitors[0].intervl: unknown key "intervl" (did you mean "interval"?)'],
  ],
  [
    'a camelCase key',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'followRedirects: false'),
    ['vigil.yaml:5:5: monitors[0].followRedirects: unknown key "followRedirects" (did you mean "follow_redirects"?)'],
  ],
  [
    'an unknown top-level section',
    'monitor: []\n',
    ['vigil.yaml:1:1: monitor: unknown key "monitor" (did you mean "monitors"?)'],
  ],
  [
    'an unknown key with nothing close',
    'scheduler:\n  workers: 4\n',
    ['vigil.yaml:2:3: scheduler.workers: unknown key "workers"; expected one of: concurrency, per_host_concurrency, coalesce'],
  ],
  ['a missing required field', monitor('name: API', 'type: http'), ['vigil.yaml:2:5: monitors[0].url: is required']],
  [
    'an unknown monitor type',
    monitor('name: API', 'type: htp', 'url: http://127.0.0.1/'),
    [
      'vigil.yaml:3:11: monitors[0].type: unknown monitor type "htp" (did you mean "http"?); expected one of: http, health, tcp, dns, tls, postgres, mysql, redis, rabbitmq, heartbeat',
    ],
  ],
  [
    'a monitor without a type',
    monitor('name: API', 'url: http://127.0.0.1/'),
    [
      'vigil.yaml:2:5: monitors[0].type: is required: one of http, health, tcp, dns, tls, postgres, mysql, redis, rabbitmq, heartbeat',
    ],
  ],
  [
    'a port out of range and a wrong type',
    'server:\n  port: 99999\n  host: [1, 2]\n',
    [
      'vigil.yaml:2:9: server.port: expected a port number from 1 to 65535, got 99999',
      'vigil.yaml:3:9: server.host: expected a string, got a list',
    ],
  ],
  [
    'yes is not a boolean in YAML 1.2',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'public: yes'),
    ['vigil.yaml:5:13: monitors[0].public: expected true or false, got "yes"'],
  ],
  [
    'an unknown method',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'method: GETT'),
    [
      'vigil.yaml:5:13: monitors[0].method: expected one of "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", got "GETT" (did you mean "GET"?)',
    ],
  ],
  [
    'a URL with the wrong scheme',
    monitor('name: API', 'type: http', 'url: ftp://127.0.0.1/'),
    ['vigil.yaml:4:10: monitors[0].url: expected an http:// or https:// URL, got "ftp://127.0.0.1/"'],
  ],
  [
    'accepted statuses that are not statuses',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'accepted_status: [200, "299-200", ok]'),
    [
      'vigil.yaml:5:28: monitors[0].accepted_status[1]: expected a status code like 200, a range like "200-299" or a class like "2xx" (from 100 to 599, low to high), got "299-200"',
      'vigil.yaml:5:39: monitors[0].accepted_status[2]: expected a status code like 200, a range like "200-299" or a class like "2xx", got "ok"',
    ],
  ],
  [
    'keyword and regex together',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'keyword: ok', 'regex: "^ok$"'),
    ['vigil.yaml:6:12: monitors[0].regex: set keyword or regex, not both'],
  ],
  [
    'an invalid regex',
    monitor('name: API', 'type: health', 'url: http://127.0.0.1/', 'regex: "(unclosed"'),
    [
      'vigil.yaml:5:12: monitors[0].regex: invalid regular expression: Invalid regular expression: /(unclosed/: Unterminated group',
    ],
  ],
  [
    'invert without a keyword',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'invert: true'),
    ['vigil.yaml:5:13: monitors[0].invert: invert needs a keyword or a regex'],
  ],
  [
    'auth with both methods',
    monitor(
      'name: API',
      'type: http',
      'url: http://127.0.0.1/',
      'auth: { bearer: abc, basic: { username: u, password: p } }',
    ),
    ['vigil.yaml:5:11: monitors[0].auth: set exactly one of basic or bearer'],
  ],
  [
    'certificate thresholds the wrong way round',
    monitor('name: Cert', 'type: tls', 'host: example.test', 'expiry_degraded_days: 3', 'expiry_unhealthy_days: 10'),
    ['vigil.yaml:6:28: monitors[0].expiry_unhealthy_days: must not be more than expiry_degraded_days (3)'],
  ],
  [
    'a DNS monitor with a bad resolver and record type',
    monitor('name: DNS', 'type: dns', 'query_name: example.test', 'resolver: "127.0.0.1:99999"', 'record_type: AAA'),
    [
      'vigil.yaml:5:15: monitors[0].resolver: expected host or host:port, e.g. "127.0.0.1:53", got "127.0.0.1:99999"',
      'vigil.yaml:6:18: monitors[0].record_type: expected one of "A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV", "PTR", "CAA", got "AAA" (did you mean "AAAA"?)',
    ],
  ],
  [
    'a heartbeat with both period and cron',
    monitor('name: Job', 'type: heartbeat', 'schedule: { period: 1h, cron: "@daily" }'),
    ['vigil.yaml:4:15: monitors[0].schedule: set exactly one of period or cron'],
  ],
  [
    'a heartbeat with a bad cron expression and time zone',
    monitor('name: Job', 'type: heartbeat', 'schedule:', '  cron: "61 * * * *"', '  timezone: Mars/Olympus'),
    [
      'vigil.yaml:5:13: monitors[0].schedule.cron: invalid cron expression: minute "61" is out of range (0-59)',
      'vigil.yaml:6:17: monitors[0].schedule.timezone: expected an IANA time zone like "Europe/Paris" or "UTC", got "Mars/Olympus"',
    ],
  ],
  [
    'a time zone on a period schedule',
    monitor('name: Job', 'type: heartbeat', 'schedule: { period: 1h, timezone: UTC }'),
    ['vigil.yaml:4:39: monitors[0].schedule.timezone: timezone applies to cron schedules only'],
  ],
  [
    'a heartbeat with an interval',
    monitor('name: Job', 'type: heartbeat', 'schedule: { period: 1h }', 'interval: 1m'),
    [
      'vigil.yaml:5:5: monitors[0].interval: unknown key "interval"; expected one of: type, name, id, public, group, tags, description, paused, alerts, depends_on, schedule, max_runtime, ping_key, slug, methods, keywords',
    ],
  ],
  [
    'a storage that is neither sqlite nor postgres',
    'storage: mongodb://127.0.0.1/vigil\n',
    [
      'vigil.yaml:1:10: storage: expected "sqlite", a postgres:// URL, or a mapping like { type: sqlite, path: ./data/vigil.db }, got "mongodb://127.0.0.1/vigil"',
    ],
  ],
  [
    'a storage mapping with a typo',
    'storage:\n  type: sqlite\n  paht: ./vigil.db\n',
    ['vigil.yaml:3:3: storage.paht: unknown key "paht" (did you mean "path"?)'],
  ],
  [
    'retention periods that shrink',
    'retention:\n  raw: 30d\n  hourly: 7d\n',
    ['vigil.yaml:3:11: retention.hourly: must not be shorter than raw (30d)'],
  ],
  [
    'a CORS origin with a path',
    'api:\n  cors:\n    origins: ["https://status.example.test/page"]\n',
    [
      'vigil.yaml:3:15: api.cors.origins[0]: expected an origin like "https://status.example.com" (scheme, host and port, no path) or "*", got "https://status.example.test/page"',
    ],
  ],
  [
    'an id that is not a slug',
    monitor('name: API', 'id: My API', 'type: http', 'url: http://127.0.0.1/'),
    ['vigil.yaml:3:9: monitors[0].id: expected lowercase letters, digits, "-" and "_" only, got "My API"'],
  ],
  [
    'two names that derive the same id',
    'monitors:\n  - { name: Shop API, type: tcp, host: 127.0.0.1, port: 80 }\n  - { name: shop-api, type: tcp, host: 127.0.0.1, port: 81 }\n',
    [
      'vigil.yaml:3:13: monitors[1].name: derives the id "shop-api", already used by monitors[0] (vigil.yaml:2:5): set a distinct id',
    ],
  ],
  [
    'a name with nothing to derive an id from',
    monitor('name: "🚀"', 'type: tcp', 'host: 127.0.0.1', 'port: 80'),
    ['vigil.yaml:2:11: monitors[0].name: no id can be derived from this name (it has no letters or digits): set id'],
  ],
  [
    'a duplicate name in one file',
    'monitors:\n  - { name: API, type: tcp, host: 127.0.0.1, port: 80 }\n  - { name: API, type: tcp, host: 127.0.0.1, port: 81 }\n',
    [
      'vigil.yaml:3:13: monitors[1].name: duplicate monitor name "API", also at vigil.yaml:2:13 (names are unique across all files)',
    ],
  ],
  [
    // Distinct ids pass the schema: only the merge sees the name twice (its first pass keeps no name positions).
    'a duplicate name with distinct ids',
    'monitors:\n  - { name: API, id: api-a, type: tcp, host: 127.0.0.1, port: 80 }\n  - { name: API, id: api-b, type: tcp, host: 127.0.0.1, port: 81 }\n',
    [
      'vigil.yaml:3:13: monitors[1].name: duplicate monitor name "API", also at vigil.yaml:2:13 (names are unique across all files)',
    ],
  ],
  [
    'YAML that does not parse',
    'server:\n  port: 3939\n   host: 127.0.0.1\n',
    ['vigil.yaml:2:9: invalid YAML: Nested mappings are not allowed in compact mappings'],
  ],
  [
    'a duplicate key',
    'server:\n  port: 3939\n  port: 4000\n',
    ['vigil.yaml:3:3: invalid YAML: Map keys must be unique'],
  ],
  [
    'an empty list of accepted statuses',
    monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'accepted_status: []'),
    ['vigil.yaml:5:22: monitors[0].accepted_status: must list at least one status'],
  ],
  [
    'an empty monitor',
    'monitors:\n  - name: A\n    type: tcp\n    host: h\n    port: 1\n  -\n',
    ['vigil.yaml:6:4: monitors[1]: expected a mapping, got null'],
  ],
  [
    'an alias inside its own anchor',
    'defaults: &d\n  retries: *d\n',
    ['vigil.yaml:2:12: defaults.retries: invalid YAML: the alias *d is inside its own anchor, which would never end'],
  ],
  [
    'a ping_key that is already another heartbeat\'s ping id (its monitor id)',
    [
      'monitors:',
      '  - { name: Nightly backup, type: heartbeat, schedule: { period: 1d } }',
      '  - { name: Reports, type: heartbeat, schedule: { period: 1h }, ping_key: nightly-backup }',
    ].join('\n'),
    ['vigil.yaml:3:75: monitors[1].ping_key: is already the ping id of monitors[0] (vigil.yaml:2:5)'],
  ],
  [
    'a monitor id that is already another heartbeat\'s ping_key (the key comes first)',
    [
      'monitors:',
      '  - { name: Reports, type: heartbeat, schedule: { period: 1h }, ping_key: nightly-backup }',
      '  - { name: Nightly backup, type: heartbeat, schedule: { period: 1d } }',
    ].join('\n'),
    [
      "vigil.yaml:3:13: monitors[1].name: gives this monitor's ping id, which is already the ping_key of monitors[0] (vigil.yaml:2:5): set a ping_key on this monitor",
    ],
  ],
  [
    'a list at the top level',
    '- name: API\n',
    ['vigil.yaml:1:1: expected a mapping of sections (server, storage, monitors, …) at the top level'],
  ],
];

describe('invalid configurations are rejected with file, line, column and field', () => {
  test.each(cases)('%s', (_name, yaml, expected) => {
    expect(problems(yaml)).toEqual(expected);
  });
});

test('every problem is reported at once, in file order', () => {
  const yaml = [
    'server:', //                        1
    '  port: 99999', //                  2
    '  hots: 0.0.0.0', //                3
    'monitors:', //                      4
    '  - name: API', //                  5
    '    type: http', //                 6
    '    url: ftp://127.0.0.1/', //      7
    '    interval: fast', //             8
    '  - name: Cache', //                9
    '    type: redis', //                10
    '    url: redis://127.0.0.1:6379', // 11
    '    timeout: 1m', //                12
    '    interval: 30s', //              13
    '  - name: Mystery', //              14
    '    type: htp', //                  15
  ].join('\n');
  const lines = problems(yaml);
  expect(lines.map((line) => line.split(': ')[0])).toEqual([
    'vigil.yaml:2:9',
    'vigil.yaml:3:3',
    'vigil.yaml:7:10',
    'vigil.yaml:8:15',
    'vigil.yaml:12:14',
    'vigil.yaml:15:11',
  ]);
  expect(lines[3]).toBe('vigil.yaml:8:15: monitors[0].interval: expected a duration like "30s" or "5m", got "fast"');
});

test('the error message lists the problems one per line', () => {
  let error: unknown;
  try {
    parseConfigSources(
      [
        {
          file: 'conf/vigil.yaml',
          text: monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'interval: fast', 'retries: -1'),
        },
      ],
      {
        env: {},
      },
    );
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).message).toBe(
    [
      'invalid configuration (2 problems):',
      'conf/vigil.yaml:5:15: monitors[0].interval: expected a duration like "30s" or "5m", got "fast"',
      'conf/vigil.yaml:6:14: monitors[0].retries: must be zero or more, got -1',
    ].join('\n'),
  );
});

describe('conditions are parsed when the configuration loads', () => {
  test('an invalid condition is rejected at its position, down to the column of the problem', () => {
    const lines = problems(
      monitor(
        'name: API',
        'type: http',
        'url: http://127.0.0.1/',
        'conditions:',
        '  - "[STATUS] == 200"',
        '  - "[STATUS] =! 200"',
      ),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^vigil\.yaml:7:\d+: monitors\[0\]\.conditions\[1\]: invalid condition "\[STATUS\] =! 200": /,
    );
    // The column points into the condition (past `- "`), not at the start of the line.
    const column = Number(lines[0]?.split(':')[2]);
    expect(column).toBeGreaterThan(9);
    expect(column).toBeLessThanOrEqual(9 + '[STATUS] =! 200'.length);
  });

  test('valid Gatus conditions load', () => {
    const conditions = [
      '[STATUS] == any(200, 201)',
      '[BODY].status == UP',
      'len([BODY].items) > 0',
      '[RESPONSE_TIME] < 300',
    ];
    const { config } = parseConfigSources(
      [
        {
          file: 'vigil.yaml',
          text: monitor(
            'name: API',
            'type: http',
            'url: http://127.0.0.1/',
            `conditions: ${JSON.stringify(conditions)}`,
          ),
        },
      ],
      { env: {} },
    );
    expect(config.monitors[0]?.type === 'http' && config.monitors[0].conditions).toEqual(conditions);
  });
});

describe('conditions that could never hold are rejected when the configuration loads', () => {
  test.each([
    [
      'a placeholder no monitor fills',
      ['name: API', 'type: http', 'url: https://127.0.0.1/', 'conditions: ["[DOMAIN_EXPIRATION] > 720h"]'],
      'vigil.yaml:5:18: monitors[0].conditions[0]: condition "[DOMAIN_EXPIRATION] > 720h" could never hold: a http monitor never fills [DOMAIN_EXPIRATION] (it fills [STATUS], [BODY], [RESPONSE_TIME], [CONNECTED], [IP], [CERTIFICATE_EXPIRATION])',
    ],
    [
      "another type's placeholder",
      ['name: API', 'type: http', 'url: https://127.0.0.1/', 'conditions: ["[DNS_RCODE] == NOERROR"]'],
      'vigil.yaml:5:18: monitors[0].conditions[0]: condition "[DNS_RCODE] == NOERROR" could never hold: a http monitor never fills [DNS_RCODE] (it fills [STATUS], [BODY], [RESPONSE_TIME], [CONNECTED], [IP], [CERTIFICATE_EXPIRATION])',
    ],
    [
      'a body on a database monitor',
      ['name: DB', 'type: postgres', 'url: postgres://127.0.0.1/test', 'conditions: ["[BODY] == ok"]'],
      'vigil.yaml:5:18: monitors[0].conditions[0]: condition "[BODY] == ok" could never hold: a postgres monitor never fills [BODY] (it fills [RESPONSE_TIME], [CONNECTED])',
    ],
    [
      'a certificate on plain http://',
      ['name: API', 'type: http', 'url: http://127.0.0.1/', 'conditions: ["[CERTIFICATE_EXPIRATION] > 48h"]'],
      'vigil.yaml:5:18: monitors[0].conditions[0]: condition "[CERTIFICATE_EXPIRATION] > 48h" could never hold: a plain http:// URL has no certificate (use https://, or a tls monitor)',
    ],
  ])('%s', (_name, lines, expected) => {
    expect(problems(monitor(...lines))).toEqual([expected]);
  });

  test('what each type fills loads', () => {
    const { config } = parseConfigSources(
      [
        {
          file: 'vigil.yaml',
          text:
            'monitors:\n' +
            [
              '  - { name: Web, type: http, url: "https://127.0.0.1/", conditions: ["[CERTIFICATE_EXPIRATION] > 48h", "[IP] == 127.0.0.1"] }',
              '  - { name: Zone, type: dns, query_name: example.com, conditions: ["[DNS_RCODE] == NOERROR", "[BODY] == 127.0.0.1"] }',
              '  - { name: Port, type: tcp, host: 127.0.0.1, port: 22, conditions: ["[CONNECTED] == true", "[RESPONSE_TIME] < 100"] }',
            ].join('\n') +
            '\n',
        },
      ],
      { env: {} },
    );
    expect(config.monitors.map((m) => m.type)).toEqual(['http', 'dns', 'tcp']);
  });
});

describe('dependencies', () => {
  test('an unknown monitor, the monitor itself, and a cycle are refused at their line', () => {
    expect(
      problems(`monitors:
  - { name: DB, type: tcp, host: 127.0.0.1, port: 5432, depends_on: [web] }
  - { name: Web, type: tcp, host: 127.0.0.1, port: 80, depends_on: [db, nope] }
  - { name: Cache, type: tcp, host: 127.0.0.1, port: 6379, depends_on: [cache] }
`),
    ).toEqual([
      'vigil.yaml:2:69: monitors[0].depends_on: a cycle of dependencies: db → web → db',
      'vigil.yaml:3:73: monitors[1].depends_on[1]: no monitor with id "nope" in the configuration',
      'vigil.yaml:4:73: monitors[2].depends_on[0]: a monitor cannot depend on itself',
    ]);
  });
});

describe('a public heartbeat needs a ping_key', () => {
  test('refused at load, at its public line, with the fix in the message', () => {
    expect(
      problems(monitor('name: Backup', 'type: heartbeat', 'public: true', 'schedule: { period: 1h }')),
    ).toEqual([
      'vigil.yaml:4:13: monitors[0].public: a public heartbeat needs a ping_key: its id is shown on the status page, and without a key anyone who reads it could ping it (and hide a failed run). Add `ping_key:` with a random value (e.g. from `openssl rand -hex 16`), or set `public: false`',
    ]);
  });

  test('a public heartbeat with a key, and a private one without, load', () => {
    const { config } = parseConfigSources(
      [
        {
          file: 'vigil.yaml',
          text:
            monitor('name: Backup', 'type: heartbeat', 'public: true', 'ping_key: 0d9e8f7a6b5c4d3e', 'schedule: { period: 1h }') +
            '  - { name: Sync, type: heartbeat, schedule: { period: 1h } }\n',
        },
      ],
      { env: {} },
    );
    expect(config.monitors.map((m) => m.public)).toEqual([true, false]);
  });
});

describe('secrets never appear in messages', () => {
  const secretCases: Array<[string, string, Record<string, string>, string, string]> = [
    [
      'a database URL with the wrong scheme',
      monitor('name: DB', 'type: postgres', 'url: mysql://app:hunter2secret@127.0.0.1/app'),
      {},
      'hunter2secret',
      'vigil.yaml:4:10: monitors[0].url: expected a postgres:// or postgresql:// URL (value not shown: secret)',
    ],
    [
      'a bearer token of the wrong type',
      monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'auth: { bearer: 73519264 }'),
      {},
      '73519264',
      'vigil.yaml:5:21: monitors[0].auth.bearer: expected a string (value not shown: secret)',
    ],
    [
      'a header value of the wrong type',
      monitor('name: API', 'type: http', 'url: http://127.0.0.1/', 'headers: { X-Api-Key: 99887766 }'),
      {},
      '99887766',
      'vigil.yaml:5:27: monitors[0].headers["X-Api-Key"]: expected a string (value not shown: secret)',
    ],
    [
      'an invalid ping key',
      monitor('name: Job', 'type: heartbeat', 'schedule: { period: 1h }', 'ping_key: "k3y with spaces"'),
      {},
      'k3y with spaces',
      'vigil.yaml:5:15: monitors[0].ping_key: expected 8 to 128 letters, digits, "-" or "_" (value not shown: secret)',
    ],
    [
      'a URL with credentials in a field that is not secret',
      monitor('name: API', 'type: http', 'url: ${API_URL}'),
      { API_URL: 'ftp://deploy:pa55word-xyz@127.0.0.1/' },
      'pa55word-xyz',
      'vigil.yaml:4:10: monitors[0].url: expected an http:// or https:// URL (value not shown: it contains credentials) (from ${API_URL})',
    ],
    [
      'a storage URL with credentials',
      'storage: "mysql://vigil:s3cr3t-pw@127.0.0.1/vigil"\n',
      {},
      's3cr3t-pw',
      'vigil.yaml:1:10: storage: expected "sqlite", a postgres:// URL, or a mapping like { type: sqlite, path: ./data/vigil.db } (value not shown: it contains credentials)',
    ],
    [
      'a password from the environment read as a number',
      monitor('name: DB', 'type: postgres', 'url: postgres://app@127.0.0.1/app', 'password: ${DB_PASSWORD}'),
      { DB_PASSWORD: '20241231' },
      '20241231',
      'vigil.yaml:5:15: monitors[0].password: expected a string (value not shown: secret); unquoted, ${DB_PASSWORD} was read as a number: quote it ("${DB_PASSWORD}") to keep a string',
    ],
  ];

  test.each(secretCases)('%s', (_name, yaml, env, secret, expected) => {
    const lines = problems(yaml, env);
    expect(lines).toEqual([expected]);
    expect(lines.join('\n')).not.toContain(secret);
  });

  test('a secret is scrubbed even from a message that would quote it elsewhere', () => {
    // The same token is used as a (secret) bearer token and, by mistake, as a monitor id.
    const lines = problems(
      monitor(
        'name: API',
        'id: Tok3n-Value-XYZ',
        'type: http',
        'url: http://127.0.0.1/',
        'auth: { bearer: Tok3n-Value-XYZ }',
      ),
    );
    expect(lines).toEqual([
      'vigil.yaml:3:9: monitors[0].id: expected lowercase letters, digits, "-" and "_" only, got "***"',
    ]);
  });
});

test('a problem in a second file names that file and the path as written there', () => {
  const lines = problems([
    { file: 'a.yaml', text: monitor('name: API', 'type: http', 'url: http://127.0.0.1/') },
    {
      file: 'b.yaml',
      text: `# more monitors\n${monitor('name: Cache', 'type: redis', 'url: redis://127.0.0.1', 'retries: many')}`,
    },
  ]);
  expect(lines).toEqual(['b.yaml:6:14: monitors[0].retries: expected a whole number, got "many"']);
});

test('after a deep merge, each value still points into the file it came from', () => {
  const lines = problems([
    { file: 'a.yaml', text: 'server:\n  port: 99999\ndefaults:\n  retries: -1\n' },
    { file: 'b.yaml', text: 'server:\n  host: "not a host"\ndefaults:\n' },
    { file: 'c.yaml', text: 'defaults:\n  retries: -2\n' },
  ]);
  expect(lines).toEqual([
    'a.yaml:2:9: server.port: expected a port number from 1 to 65535, got 99999',
    'b.yaml:2:9: server.host: expected a host name or an IP address, without scheme or port, got "not a host"',
    'c.yaml:2:12: defaults.retries: must be zero or more, got -2',
  ]);
});
