/** The generated files against the real tools: promtool (Debian package prometheus) and amtool (prometheus-alertmanager). */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  dashboardExpressions,
  generateStack,
  parseStackOptions,
  writeStack,
  type RawStackOptions,
} from '../src/stack/index.js';
import { MONITORING, requireTool, SHOP_RAW, tempDir, tool } from './support.js';

const cleanups: (() => Promise<void>)[] = [];

async function generated(raw: RawStackOptions): Promise<string> {
  const { dir, remove } = await tempDir('stack');
  cleanups.push(remove);
  await writeStack(dir, generateStack(parseStackOptions(raw)));
  return dir;
}

beforeAll(() => {
  requireTool('promtool');
  requireTool('amtool');
});

afterAll(async () => {
  await Promise.all(cleanups.map((remove) => remove()));
});

const FOLDERS: Record<string, () => Promise<string>> = {
  'the committed monitoring/ folder': async () => MONITORING,
  'a stack with other thresholds and receivers': () =>
    generated({
      ...SHOP_RAW,
      name: 'billing',
      backlog: '12345',
      failedJobs: '3',
      diskFreePercent: '12.5',
      dbSlowSeconds: '2',
      errorRate: '7.5',
      certDays: '1',
      businessHours: '0-3',
      receivers: 'slack,webhook',
      webhookUrl: 'https://hooks.example.com/vigil',
    }),
  'an app-only stack with e-mail only': () =>
    generated({ app: 'https://api.example.com:8443/internal/metrics?token-free=1', receivers: 'email', businessHours: '20-24' }),
};

describe.each(Object.entries(FOLDERS))('%s', (_label, folder) => {
  let dir = '';
  beforeAll(async () => {
    dir = await folder();
  });

  it('passes promtool check config (rule_files resolved next to prometheus.yml)', async () => {
    const output = await tool(dir, 'promtool', ['check', 'config', 'prometheus.yml']);
    expect(output).toContain('SUCCESS: 1 rule files found');
  });

  it('passes promtool check rules', async () => {
    expect(await tool(dir, 'promtool', ['check', 'rules', 'alert_rules.yml'])).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes its own promtool unit tests', async () => {
    expect(await tool(dir, 'promtool', ['test', 'rules', 'alert_rules_test.yml'])).toContain('SUCCESS');
  });

  it('passes amtool check-config', async () => {
    expect(await tool(dir, 'amtool', ['check-config', 'alertmanager.yml'])).toContain('SUCCESS');
  });

  it('has dashboard queries that Prometheus parses (checked as recording rules)', async () => {
    const exprs: string[] = [];
    for (const uid of ['vigil-application', 'vigil-jobs', 'vigil-monitor']) {
      const model: unknown = JSON.parse(await readFile(path.join(dir, `grafana/dashboards/${uid}.json`), 'utf8'));
      for (const expr of dashboardExpressions(model)) {
        // Variable queries are label_values(expr, label): the expression is PromQL.
        const inner = /^label_values\((.*),\s*\w+\)$/.exec(expr)?.[1] ?? expr;
        exprs.push(
          inner
            .replace(/\$__rate_interval/g, '1m')
            .replace(/\$__range/g, '1h')
            .replace(/\$\{?\w+\}?/g, 'x'),
        );
      }
    }
    const rules = exprs.map((expr, index) => ({ record: `dashboard:query_${index}`, expr }));
    const { dir: scratch, remove } = await tempDir('queries');
    cleanups.push(remove);
    await writeFile(path.join(scratch, 'queries.yml'), stringify({ groups: [{ name: 'dashboards', rules }] }));
    expect(await tool(scratch, 'promtool', ['check', 'rules', 'queries.yml'])).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});

it('a missing tool fails with the Debian package to install', () => {
  expect(() => requireTool('promtool', { PATH: '/nonexistent' })).toThrow(
    /promtool is not installed.*apt-get install prometheus$/,
  );
  expect(() => requireTool('amtool', { PATH: '/nonexistent' })).toThrow(/apt-get install prometheus-alertmanager$/);
});

it('the unit tests catch a rule that drifts from its threshold', async () => {
  const dir = await generated({ app: 'http://127.0.0.1:8000/metrics' });
  const drifted = generateStack(parseStackOptions({ app: 'http://127.0.0.1:8000/metrics', backlog: '300' }));
  await writeFile(path.join(dir, 'alert_rules.yml'), drifted.get('alert_rules.yml') ?? '');
  await expect(tool(dir, 'promtool', ['test', 'rules', 'alert_rules_test.yml'])).rejects.toThrow(/alertname: JobQueueBacklog/);
});
