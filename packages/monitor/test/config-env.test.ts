/**
 * `${ENV}` substitution: in scalar values after parsing (so a value cannot add structure), with defaults,
 * `$${` escapes, and an error naming the file, line and column of every unset variable.
 */
import { describe, expect, test } from 'vitest';
import { ConfigError, formatIssue, parseConfigSources, substituteEnv } from '../src/config/index.js';

const env = { HOST: '127.0.0.1', PORT: '4000', EMPTY: '', NAME: 'shop' };

describe('substituteEnv', () => {
  const cases: Array<[string, string, string[]]> = [
    ['plain text', 'plain text', []],
    ['${HOST}', '127.0.0.1', ['HOST']],
    ['http://${HOST}:${PORT}/health', 'http://127.0.0.1:4000/health', ['HOST', 'PORT']],
    ['${MISSING:-fallback}', 'fallback', ['MISSING']],
    ['${EMPTY:-fallback}', 'fallback', ['EMPTY']],
    ['${NAME:-fallback}', 'shop', ['NAME']],
    ['${MISSING:-}', '', ['MISSING']],
    ['${MISSING:-a:-b}', 'a:-b', ['MISSING']],
    ['$${HOST}', '${HOST}', []],
    ['cost: $$5 and $HOST', 'cost: $$5 and $HOST', []],
  ];
  test.each(cases)('%s → %s', (input, value, variables) => {
    expect(substituteEnv(input, env)).toEqual({ value, variables, problems: [] });
  });

  const problems: Array<[string, string]> = [
    ['${MISSING}', 'environment variable MISSING is not set (set it, or give a default: ${MISSING:-value})'],
    [
      '${1BAD}',
      'invalid substitution "${1BAD}": expected ${NAME} or ${NAME:-default} (write "$${" for a literal "${")',
    ],
    ['${A B}', 'invalid substitution "${A B}": expected ${NAME} or ${NAME:-default} (write "$${" for a literal "${")'],
    ['${HOST', 'unterminated "${": close it with "}" (write "$${" for a literal "${")'],
  ];
  test.each(problems)('%s is a problem', (input, message) => {
    expect(substituteEnv(input, env).problems.map((p) => p.message)).toEqual([message]);
  });
});

function load(text: string, variables: Record<string, string> = {}) {
  return parseConfigSources([{ file: 'vigil.yaml', text }], { env: variables }).config;
}

function problems(text: string, variables: Record<string, string> = {}): string[] {
  try {
    load(text, variables);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('substitution in configuration files', () => {
  test('values are substituted, with defaults', () => {
    const config = load(
      [
        'server:',
        '  host: ${HOST}',
        '  data: ${DATA_DIR:-./data}',
        'monitors:',
        '  - name: ${NAME} api',
        '    type: http',
        '    url: http://${HOST}:${PORT}/health',
      ].join('\n'),
      env,
    );
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.server.data).toBe('./data');
    expect(config.monitors[0]).toMatchObject({ name: 'shop api', id: 'shop-api', url: 'http://127.0.0.1:4000/health' });
  });

  test('an unquoted value becomes a number or boolean; a quoted one stays a string', () => {
    expect(load('server:\n  port: ${PORT}\n', env).server.port).toBe(4000);
    const block = 'monitors:\n  - name: a\n    type: tcp\n    host: h\n    port: ${PORT}\n    public: ${PUBLIC}\n';
    expect(load(block, { PORT: '5432', PUBLIC: 'true' }).monitors[0]).toMatchObject({ port: 5432, public: true });
    expect(problems('server:\n  port: "${PORT}"\n', env)).toEqual([
      'vigil.yaml:2:9: server.port: expected a port number, got "4000" (from ${PORT})',
    ]);
    expect(
      load('monitors:\n  - { name: a, type: tcp, host: h, port: 1, group: "${PORT}" }\n', env).monitors[0]?.group,
    ).toBe('4000');
  });

  test('a value from the environment cannot add structure to the document', () => {
    const injected = 'x\nmonitors:\n  - { name: evil, type: tcp, host: evil.test, port: 1 }\n"a": {b: [1, 2]}';
    const config = load(
      'monitors:\n  - { name: safe, type: tcp, host: 127.0.0.1, port: 1, description: "${DESC}" }\n',
      { DESC: injected },
    );
    expect(config.monitors).toHaveLength(1);
    expect(config.monitors[0]?.description).toBe(injected);
    // Unquoted too: YAML syntax in the value is text.
    const plain = load(
      'monitors:\n  - name: safe\n    type: tcp\n    host: 127.0.0.1\n    port: 1\n    group: ${GROUP}\n',
      {
        GROUP: '[a, b]',
      },
    );
    expect(plain.monitors[0]?.group).toBe('[a, b]');
  });

  test('$${ writes a literal ${ and is not a variable', () => {
    const config = load('monitors:\n  - { name: a, type: tcp, host: h, port: 1, description: "costs $${PRICE}" }\n');
    expect(config.monitors[0]?.description).toBe('costs ${PRICE}');
  });

  test('keys are not substituted', () => {
    expect(problems('server:\n  ${KEY}: 1\n', { KEY: 'port' })).toEqual([
      'vigil.yaml:2:3: server["${KEY}"]: unknown key "${KEY}"; expected one of: host, port, data, public_url, ping_body_limit, trusted_proxies',
    ]);
  });

  test('every unset variable is an error naming file, line and column', () => {
    const text = [
      'server:', //                                           1
      '  data: ${DATA_DIR}', //                               2
      'monitors:', //                                         3
      '  - name: API', //                                     4
      '    type: http', //                                    5
      '    url: "http://${API_HOST}:${API_PORT:-80}/"', //   6
      '    description: ok ${ALSO_MISSING} end', //           7
    ].join('\n');
    expect(problems(text)).toEqual([
      'vigil.yaml:2:9: server.data: environment variable DATA_DIR is not set (set it, or give a default: ${DATA_DIR:-value})',
      'vigil.yaml:6:18: monitors[0].url: environment variable API_HOST is not set (set it, or give a default: ${API_HOST:-value})',
      'vigil.yaml:7:21: monitors[0].description: environment variable ALSO_MISSING is not set (set it, or give a default: ${ALSO_MISSING:-value})',
    ]);
  });

  test('a variable used in an anchored value is substituted once, and its alias gets the value', () => {
    const config = load(
      'monitors:\n  - { name: a, type: tcp, host: &h "${HOST}", port: 1 }\n  - { name: b, type: tcp, host: *h, port: 2 }\n',
      env,
    );
    expect(config.monitors.map((m) => (m.type === 'tcp' ? m.host : undefined))).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  test('process.env is the default source of variables', () => {
    process.env.VIGIL_TEST_CONFIG_PORT = '4567';
    try {
      const { config } = parseConfigSources([
        { file: 'vigil.yaml', text: 'server:\n  port: ${VIGIL_TEST_CONFIG_PORT}\n' },
      ]);
      expect(config.server.port).toBe(4567);
    } finally {
      delete process.env.VIGIL_TEST_CONFIG_PORT;
    }
  });
});
