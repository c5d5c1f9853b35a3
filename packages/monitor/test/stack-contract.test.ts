/**
 * What the generated files promise without running a tool: only catalogue metric names, every alert tested both
 * ways, stable dashboards, a compose file whose mounts exist and which holds no secret, deterministic output.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  alertRuleGroups,
  dashboardExpressions,
  generateStack,
  parseStackOptions,
  unknownMetrics,
  type RawStackOptions,
} from '../src/stack/index.js';
import { SHOP_RAW } from './support.js';

const VARIANTS: Record<string, RawStackOptions> = {
  shop: SHOP_RAW,
  'app only': { app: 'https://api.example.com/metrics' },
  'other thresholds': {
    ...SHOP_RAW,
    name: 'billing',
    backlog: '5000',
    diskFreePercent: '3.5',
    dbSlowSeconds: '2',
    certDays: '3',
    receivers: 'slack,webhook',
  },
};

const load = (files: Map<string, string>, name: string): any => {
  const text = files.get(name);
  if (text === undefined) throw new Error(`${name} was not generated`);
  return name.endsWith('.json') ? JSON.parse(text) : parse(text);
};

describe.each(Object.entries(VARIANTS))('generated stack (%s)', (_label, raw) => {
  const options = parseStackOptions(raw);
  const files = generateStack(options);

  it('is deterministic and carries no timestamp', () => {
    expect(generateStack(parseStackOptions(raw))).toEqual(files);
    for (const [name, text] of files) expect(text, name).not.toMatch(/\b20\d\d-\d\d-\d\dT?/);
  });

  it('uses only catalogue metric names, up, node_* and (with --business-example) the allowlisted business names', () => {
    const rules = load(files, 'alert_rules.yml').groups.flatMap((group: any) => group.rules);
    const exprs: [string, string][] = rules.map((rule: any) => [`alert ${rule.alert}`, rule.expr]);
    for (const name of [...files.keys()].filter((file) => file.startsWith('grafana/dashboards/'))) {
      for (const expr of dashboardExpressions(load(files, name))) exprs.push([name, expr]);
    }
    expect(exprs.length).toBeGreaterThan(40);
    for (const [where, expr] of exprs) {
      expect(unknownMetrics(expr, options.businessExample), `${where}: ${expr}`).toEqual([]);
    }
    if (!options.businessExample) {
      expect([...files.values()].join('\n')).not.toContain('shop_sales_today');
    }
  });

  it('gives every rule a for window, a severity and summary/description annotations', () => {
    const rules = load(files, 'alert_rules.yml').groups.flatMap((group: any) => group.rules);
    const names = rules.map((rule: any) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+[mh]$/);
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels.severity);
      expect(Object.keys(rule.annotations).sort(), rule.alert).toEqual(['description', 'summary']);
    }
    const expected = ['AppDown', 'AppUnhealthy', 'CheckUnhealthy', 'HighErrorRate', 'SchedulerDisabled'];
    expected.push('DiskSpaceCritical', 'DatabaseSlow', 'JobQueueBacklog', 'FailedBackgroundJobs', 'QueueHasNoWorkers');
    if (options.worker) expected.push('WorkerDown', 'WorkerUnhealthy');
    if (options.monitor) expected.push('VigilMonitorDown', 'MonitorDown', 'HeartbeatMissing', 'CertificateExpiringSoon');
    if (options.businessExample) expected.push('NoSalesActivity');
    expect(names).toEqual(expected);
  });

  it('tests every alert firing (labels and annotations) and staying silent', () => {
    const tests = load(files, 'alert_rules_test.yml');
    expect(tests.rule_files).toEqual(['alert_rules.yml']);
    const evaluations = tests.tests.flatMap((group: any) => group.alert_rule_test);
    for (const group of alertRuleGroups(options)) {
      for (const rule of group.rules) {
        const own = evaluations.filter((evaluation: any) => evaluation.alertname === rule.alert);
        const firing = own.filter((evaluation: any) => evaluation.exp_alerts.length > 0);
        expect(firing.length, `${rule.alert} fires in a test`).toBeGreaterThan(0);
        expect(own.length - firing.length, `${rule.alert} stays silent in a test`).toBeGreaterThan(0);
        for (const alert of firing.flatMap((evaluation: any) => evaluation.exp_alerts)) {
          expect(alert.exp_labels.severity).toBe(rule.severity);
          expect(Object.keys(alert.exp_annotations).sort()).toEqual(['description', 'summary']);
          expect(JSON.stringify(alert.exp_annotations), rule.alert).not.toContain('{{');
        }
      }
    }
  });

  it('scrapes each given target, node_exporter, and alerts through Alertmanager', () => {
    const config = load(files, 'prometheus.yml');
    expect(config.rule_files).toEqual(['alert_rules.yml']);
    expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
    expect(config.global).toMatchObject({ scrape_interval: '30s', evaluation_interval: '30s' });
    const jobs = config.scrape_configs.map((job: any) => job.job_name);
    const targets = [options.app, options.worker, options.monitor].filter((target) => target !== undefined);
    expect(jobs).toEqual([...targets.map((target) => target.job), 'node']);
    for (const target of targets) {
      const job = config.scrape_configs.find((entry: any) => entry.job_name === target.job);
      expect(job).toMatchObject({
        scheme: target.scheme,
        metrics_path: target.metricsPath,
        static_configs: [{ targets: [target.address] }],
      });
    }
  });

  it('writes no secret into alertmanager.yml, only *_file references', () => {
    const text = files.get('alertmanager.yml') ?? '';
    const config = load(files, 'alertmanager.yml');
    expect(text).not.toMatch(/smtp_auth_password:|api_url:|credentials:|hooks\.slack\.com/);
    const channels = options.receivers.channels;
    expect(Boolean(config.global.smtp_auth_password_file)).toBe(channels.includes('email'));
    expect(Boolean(config.global.slack_api_url_file)).toBe(channels.includes('slack'));
    const routes = config.route.routes.map((route: any) => [route.matchers[0], route.receiver, route.repeat_interval]);
    expect(routes).toEqual([
      ['severity="critical"', 'critical', '30m'],
      ['severity="info"', 'info', '24h'],
    ]);
    expect(config.route.repeat_interval).toBe('4h');
    for (const receiver of config.receivers) {
      expect(Object.keys(receiver).length, receiver.name).toBeGreaterThan(1);
      for (const webhook of receiver.webhook_configs ?? []) {
        expect(webhook.http_config.authorization.credentials_file).toBe('/run/secrets/webhook_token');
      }
    }
  });

  it('has a compose file with pinned images, mounts that exist, and secrets kept out of the folder', () => {
    const compose = load(files, 'docker-compose.yml');
    expect(Object.keys(compose.services).sort()).toEqual(['alertmanager', 'grafana', 'node-exporter', 'prometheus']);
    for (const [name, service] of Object.entries<any>(compose.services)) {
      expect(service.image, name).toMatch(/^[a-z0-9/-]+:v?\d+\.\d+\.\d+$/);
      for (const volume of service.volumes ?? []) {
        const source = String(volume).split(':')[0] ?? '';
        if (!source.startsWith('./')) continue;
        const relative = source.slice(2);
        const exists = files.has(relative) || [...files.keys()].some((file) => file.startsWith(`${relative}/`));
        expect(exists, `${name} mounts ${source}`).toBe(true);
      }
    }
    expect(compose.services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?.+\}$/);
    const secretNames = Object.keys(compose.secrets);
    expect(compose.services.alertmanager.secrets).toEqual(secretNames);
    expect(secretNames.length).toBe(options.receivers.channels.length);
    for (const [name, secret] of Object.entries<any>(compose.secrets)) {
      expect(secret.file).toBe(`./secrets/${name}`);
      expect(files.has(`secrets/${name}`)).toBe(false);
      expect(files.get('alertmanager.yml')).toContain(`/run/secrets/${name}`);
    }
    expect(files.get('.gitignore')).toMatch(/^\/secrets\/$/m);
    expect(files.get('.gitignore')).toMatch(/^\.env$/m);
  });

  it('provisions the datasource the dashboards use, and three stable dashboards', () => {
    const datasource = load(files, 'grafana/provisioning/datasources/prometheus.yml').datasources[0];
    const provider = load(files, 'grafana/provisioning/dashboards/vigil.yml').providers[0];
    expect(provider.options.path).toBe('/var/lib/grafana/dashboards');
    const dashboards = ['vigil-application', 'vigil-jobs', 'vigil-monitor'].map((uid) => {
      const model = load(files, `grafana/dashboards/${uid}.json`);
      expect(model.uid).toBe(uid);
      return model;
    });
    expect(dashboards.map((model) => model.title)).toEqual([
      'Vigil · Application',
      'Vigil · Background jobs',
      'Vigil · Uptime monitor',
    ]);
    for (const model of dashboards) {
      const ids = model.panels.map((panel: any) => panel.id);
      expect(new Set(ids).size, model.uid).toBe(ids.length);
      for (const panel of model.panels) {
        expect(panel.gridPos.x + panel.gridPos.w, `${model.uid} ${panel.title}`).toBeLessThanOrEqual(24);
        if (panel.type === 'row') continue;
        expect(panel.datasource.uid).toBe(datasource.uid);
        expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      }
      for (const variable of model.templating.list) expect(variable.datasource.uid).toBe(datasource.uid);
    }
  });
});
