/**
 * Loading valid configurations: defaults, normalised values (durations in milliseconds, status ranges, storage),
 * derived ids, several files merged, a directory of files, and the example in examples/vigil.yaml.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ConfigError,
  formatIssue,
  loadConfig,
  type MonitorOfType,
  parseConfigSources,
  type VigilConfig,
} from '../src/config/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/config/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);
const example = fileURLToPath(new URL('../../../examples/vigil.yaml', import.meta.url));

const parse = (text: string, env: Record<string, string> = {}) =>
  parseConfigSources([{ file: 'vigil.yaml', text }], { env }).config;

async function loadProblems(paths: string[]): Promise<string[]> {
  try {
    await loadConfig(paths, { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

function monitorOf<T extends VigilConfig['monitors'][number]['type']>(
  config: VigilConfig,
  type: T,
  index = 0,
): MonitorOfType<T> {
  const found = config.monitors.filter((m) => m.type === type)[index];
  if (!found) throw new Error(`no ${type} monitor`);
  return found as MonitorOfType<T>;
}

describe('defaults', () => {
  test('an empty file is a valid configuration with every default', () => {
    expect(parse('')).toEqual({
      server: { host: '127.0.0.1', port: 3939, data: './data', ping_body_limit: 100_000, trusted_proxies: [] },
      location: 'local',
      storage: { type: 'sqlite', path: join('./data', 'vigil.db') },
      retention: { raw: 7 * 86_400_000, hourly: 90 * 86_400_000, daily: 730 * 86_400_000 },
      api: { cors: { origins: [] } },
      metrics: { public: 'public-monitors' },
      scheduler: { concurrency: 256, per_host_concurrency: 16, coalesce: 100 },
      cluster: { lease: 15_000 },
      defaults: { interval: 60_000, timeout: 10_000, retries: 0 },
      heartbeats: { groups: {} },
      alerts: { channels: {}, routes: {}, defaults: {}, groups: {}, send_timeout: 10_000, per_channel_per_minute: 30 },
      maintenance: [],
      status_pages: [],
      status_incidents: { auto: 'off' },
      monitors: [],
    });
  });

  test('a minimal monitor gets its id and every default', async () => {
    const { config, files, monitorSources } = await loadConfig([fixture('minimal.yaml')], { env: {} });
    expect(files).toEqual([fixture('minimal.yaml')]);
    expect(config.monitors).toEqual([
      {
        type: 'http',
        name: 'API',
        id: 'api',
        public: false,
        paused: false,
        tags: [],
        conditions: [],
        interval: 60_000,
        timeout: 10_000,
        retries: 0,
        url: 'http://127.0.0.1:8080/',
        method: 'GET',
        // Not filled in: 2xx applies unless a condition tests [STATUS] (decided when the monitor is prepared).
        follow_redirects: true,
        max_body_bytes: 1_048_576,
        invert: false,
        tls: { expiry_degraded_days: 14, expiry_unhealthy_days: 3, skip_verify: false },
        keep_alive: false,
      },
    ]);
    expect(monitorSources.get('api')).toEqual({ file: fixture('minimal.yaml'), line: 2, column: 5 });
  });

  test('a section with every key commented out is no section', () => {
    expect(parse('server:\n#  port: 4000\nretention:\n').server).toEqual({
      host: '127.0.0.1',
      port: 3939,
      data: './data',
      ping_body_limit: 100_000,
      trusted_proxies: [],
    });
    // …also when merged: an empty section in a later file leaves the earlier one alone.
    const { config } = parseConfigSources(
      [
        { file: 'a.yaml', text: 'server:\n  port: 4000\n' },
        { file: 'b.yaml', text: 'server:\n' },
      ],
      { env: {} },
    );
    expect(config.server.port).toBe(4000);
  });

  test('the sqlite file follows server.data', () => {
    expect(parse('server:\n  data: /var/lib/vigil\n').storage).toEqual({
      type: 'sqlite',
      path: '/var/lib/vigil/vigil.db',
    });
  });
});

describe('values are normalised', () => {
  const durations: Array<[string, number]> = [
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['45', 45_000],
    ['0.5', 500],
  ];
  test.each(durations)('timeout %s is %d ms', (written, ms) => {
    expect(parse(`defaults:\n  interval: 2d\n  timeout: ${written}\n`).defaults.timeout).toBe(ms);
  });

  const storages: Array<[string, VigilConfig['storage']]> = [
    ['storage: sqlite', { type: 'sqlite', path: join('./data', 'vigil.db') }],
    [
      'storage: postgres://vigil@127.0.0.1:5432/vigil',
      { type: 'postgres', url: 'postgres://vigil@127.0.0.1:5432/vigil' },
    ],
    ['storage: postgresql://127.0.0.1/vigil', { type: 'postgres', url: 'postgresql://127.0.0.1/vigil' }],
    ['storage: { type: sqlite, path: ./vigil.db }', { type: 'sqlite', path: './vigil.db' }],
    ['storage: { type: postgres, url: "postgres://127.0.0.1/v" }', { type: 'postgres', url: 'postgres://127.0.0.1/v' }],
  ];
  test.each(storages)('%s', (yaml, storage) => {
    expect(parse(`${yaml}\n`).storage).toEqual(storage);
  });

  test('monitor durations and statuses', () => {
    const config = parse(
      [
        'defaults: { interval: 2m, retries: 1 }',
        'monitors:',
        '  - name: A',
        '    type: http',
        '    url: https://127.0.0.1/',
        '    interval: 90',
        '    degraded_above: 250ms',
        '    accepted_status: [204, "200-299", 3xx]',
        '  - name: B',
        '    type: tcp',
        '    host: 127.0.0.1',
        '    port: 22',
      ].join('\n'),
    );
    expect(monitorOf(config, 'http')).toMatchObject({
      interval: 90_000,
      timeout: 10_000,
      retries: 1,
      degraded_above: 250,
      accepted_status: [
        { min: 204, max: 204 },
        { min: 200, max: 299 },
        { min: 300, max: 399 },
      ],
    });
    expect(monitorOf(config, 'tcp')).toMatchObject({ interval: 120_000, timeout: 10_000, retries: 1 });
  });
});

test('a configuration with every section and every monitor type', async () => {
  const { config } = await loadConfig([fixture('full.yaml')], { env: { SHOP_TOKEN: 'from-env' } });
  expect(config.server).toEqual({
    host: '0.0.0.0',
    port: 4000,
    data: '/var/lib/vigil',
    public_url: 'https://status.example.test',
    ping_body_limit: 100_000,
    trusted_proxies: ['10.0.0.0/8', '::1'],
  });
  expect(config.heartbeats).toEqual({
    ping_key: 'full-test-ping-key-0001',
    create: { limit: 10, schedule: { period: 6 * 3_600_000, grace: 30 * 60_000 }, tags: ['auto'] },
    groups: { Jobs: { ping_key: 'full-test-jobs-key-0002' } },
  });
  expect(config.storage).toEqual({ type: 'sqlite', path: '/var/lib/vigil/results.db' });
  expect(config.retention).toEqual({ raw: 3 * 86_400_000, hourly: 30 * 86_400_000, daily: 365 * 86_400_000 });
  expect(config.api.cors.origins).toEqual(['https://status.example.test', 'http://localhost:5173']);
  expect(config.scheduler).toEqual({ concurrency: 64, per_host_concurrency: 4, coalesce: 100 });
  expect(config.defaults).toEqual({ interval: 120_000, timeout: 20_000, retries: 2 });
  expect(config.monitors.map((m) => [m.type, m.id])).toEqual([
    ['http', 'shop-api'],
    ['health', 'shop-health'],
    ['tcp', 'postgres-port'],
    ['dns', 'shop-dns'],
    ['tls', 'shop-certificate'],
    ['postgres', 'shop-database'],
    ['mysql', 'legacy-database'],
    ['redis', 'cache'],
    ['rabbitmq', 'broker'],
    ['heartbeat', 'hourly-export'],
  ]);
  expect(monitorOf(config, 'http')).toMatchObject({
    method: 'POST',
    headers: { 'X-Api-Key': 'dev-key', Accept: 'application/json' },
    auth: { bearer: 'from-env' },
    follow_redirects: false,
    max_body_bytes: 65_536,
    regex: '"items":\\s*\\[',
    degraded_above: 800,
    tls: { expiry_degraded_days: 21, expiry_unhealthy_days: 7, skip_verify: true },
    ip_version: 4,
    interval: 30_000,
    timeout: 10_000,
    retries: 3,
    public: true,
    group: 'Shop',
    tags: ['shop', 'api'],
  });
  expect(monitorOf(config, 'health')).toMatchObject({
    format: 'health+json',
    auth: { basic: { username: 'monitor', password: 'secret' } },
    keyword: 'pass',
    interval: 120_000,
    timeout: 20_000,
    retries: 2,
  });
  expect(monitorOf(config, 'tcp')).toMatchObject({ host: '127.0.0.1', port: 5432, paused: true });
  expect(monitorOf(config, 'dns')).toMatchObject({
    query_name: 'shop.example.test',
    resolver: '127.0.0.1:5353',
    record_type: 'AAAA',
    expected: ['::1'],
    rcode: 'NOERROR',
  });
  expect(monitorOf(config, 'tls')).toMatchObject({
    port: 443,
    server_name: 'www.shop.example.test',
    expiry_degraded_days: 30,
  });
  expect(monitorOf(config, 'postgres')).toMatchObject({
    url: 'postgres://monitor@127.0.0.1:5432/shop',
    password: 'pw',
  });
  expect(monitorOf(config, 'rabbitmq')).toMatchObject({ queue: 'orders' });
  expect(monitorOf(config, 'heartbeat')).toEqual({
    type: 'heartbeat',
    name: 'Hourly export',
    id: 'hourly-export',
    public: false,
    paused: false,
    tags: [],
    schedule: { period: 3_600_000, grace: 600_000 },
    ping_key: '2f1c9e8d7b6a5f4e',
  });
});

describe('several files', () => {
  test('two files: monitors concatenated, sections merged deeply, the later file wins', async () => {
    const { config, files } = await loadConfig([fixture('merge/base.yaml'), fixture('merge/override.yaml')], {
      env: {},
    });
    expect(files).toEqual([fixture('merge/base.yaml'), fixture('merge/override.yaml')]);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 5000, data: './base-data', ping_body_limit: 100_000, trusted_proxies: [] });
    expect(config.defaults).toEqual({ interval: 30_000, timeout: 3000, retries: 0 });
    expect(config.monitors.map((m) => [m.name, 'interval' in m ? m.interval : undefined])).toEqual([
      ['API', 30_000],
      ['Redis', 30_000],
    ]);
  });

  test('a directory loads its *.yaml and *.yml files in name order, and nothing else', async () => {
    const { config, files, monitorSources } = await loadConfig([fixture('conf.d')], { env: {} });
    expect(files).toEqual(['10-server.yaml', '20-web.yml', '30-data.YAML'].map((name) => fixture(`conf.d/${name}`)));
    expect(config.server.port).toBe(4100);
    expect(config.monitors.map((m) => m.id)).toEqual(['web', 'redis']);
    expect(monitorSources.get('redis')).toEqual({ file: fixture('conf.d/30-data.YAML'), line: 2, column: 5 });
  });

  test('a list replaces a list; only monitors are concatenated', () => {
    const { config } = parseConfigSources(
      [
        { file: 'a.yaml', text: 'api:\n  cors:\n    origins: ["https://a.test", "https://b.test"]\n' },
        { file: 'b.yaml', text: 'api:\n  cors:\n    origins: ["https://c.test"]\n' },
      ],
      { env: {} },
    );
    expect(config.api.cors.origins).toEqual(['https://c.test']);
  });

  test('the same monitor name in two files is an error naming both places', async () => {
    expect(await loadProblems([fixture('duplicates')])).toEqual([
      `${fixture('duplicates/b.yaml')}:7:11: monitors[1].name: duplicate monitor name "Redis", also at ${fixture('duplicates/a.yaml')}:5:11 (names are unique across all files)`,
    ]);
  });

  test('monitors that are not a list cannot be concatenated', () => {
    expect(() =>
      parseConfigSources(
        [
          { file: 'a.yaml', text: 'monitors:\n  - { name: A, type: tcp, host: h, port: 1 }\n' },
          { file: 'b.yaml', text: 'monitors:\n  name: B\n' },
        ],
        { env: {} },
      ),
    ).toThrow('b.yaml:2:3: monitors: expected a list of monitors (earlier files have one, and lists are concatenated)');
  });
});

describe('files that cannot be read', () => {
  let empty: string;
  beforeAll(async () => {
    empty = await mkdtemp(join(tmpdir(), 'vigil-config-'));
    await writeFile(join(empty, 'notes.txt'), 'not yaml');
  });
  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
  });

  test('a missing file, an empty directory and no paths at all', async () => {
    expect(await loadProblems([fixture('missing.yaml'), empty])).toEqual([
      `${fixture('missing.yaml')}: no such file or directory`,
      `${empty}: no .yaml or .yml files in this directory`,
    ]);
    expect(await loadProblems([])).toEqual(['no configuration file given']);
  });

  test('syntax errors in several files are all reported', async () => {
    const a = join(empty, 'a.yaml');
    const b = join(empty, 'b.yaml');
    await writeFile(a, 'server: [\n');
    await writeFile(b, 'server:\n  port: 1\n  port: 2\n');
    const lines = await loadProblems([a, b]);
    expect(lines.map((line) => line.split(': ')[0])).toEqual([`${a}:2:1`, `${b}:3:3`]);
  });
});

describe('examples/vigil.yaml', () => {
  test('loads, and every target is on this machine', async () => {
    const { config } = await loadConfig([example], { env: {} });
    expect(config.monitors.map((m) => [m.type, m.id])).toEqual([
      ['health', 'demo-app'],
      ['http', 'demo-liveness'],
      ['tcp', 'postgresql-port'],
      ['postgres', 'postgresql'],
      ['mysql', 'mariadb'],
      ['redis', 'redis'],
      ['rabbitmq', 'rabbitmq'],
      ['heartbeat', 'nightly-backup'],
    ]);
    for (const monitor of config.monitors) {
      if ('url' in monitor) expect(new URL(monitor.url).hostname).toBe('127.0.0.1');
      if ('host' in monitor) expect(monitor.host).toBe('127.0.0.1');
    }
    expect(monitorOf(config, 'health').url).toBe('http://127.0.0.1:8080/health');
    expect(monitorOf(config, 'postgres').url).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(monitorOf(config, 'redis').url).toBe('redis://127.0.0.1:6379');
  });

  test('the environment variables of the demo app apply', async () => {
    const { config } = await loadConfig([example], { env: { DATABASE_URL: 'postgres://app@127.0.0.1:5433/app' } });
    expect(monitorOf(config, 'postgres').url).toBe('postgres://app@127.0.0.1:5433/app');
  });
});
