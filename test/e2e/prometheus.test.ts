import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unusedPort } from '../../packages/core/test/support/net.js';
import { type PrivateRedis, startPrivateRedis } from '../../packages/core/test/support/private-redis.js';
import { createHealth, diskCheck, redisCheck } from '../../packages/health/src/index.js';
import { serve } from '../../packages/health/test/support.js';
import { generateStack, parseStackOptions } from '../../packages/monitor/src/stack/index.js';
import { type RunningProcess, requireBinary, startProcess, waitFor } from './support/processes.js';

// The whole path a user relies on: an app with @vigil/health is scraped by a real Prometheus evaluating the
// rules `vigil stack` generates; a dependency breaks; the alert fires and reaches a real Alertmanager, which
// delivers it to a webhook. Only the `for` windows and intervals are shortened.
interface Alert {
  labels: Record<string, string>;
  state?: string;
  status?: string;
}

describe('Prometheus and Alertmanager against @vigil/health', () => {
  const prometheusBin = requireBinary('prometheus', 'prometheus');
  const alertmanagerBin = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');
  const processes: RunningProcess[] = [];
  const closers: Array<() => Promise<void>> = [];
  const delivered: Alert[] = [];
  let redis: PrivateRedis;
  let prometheusUrl = '';

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const health = createHealth({
      service: { name: 'e2e', version: '1.0.0' },
      checks: [redisCheck({ name: 'redis_queue', url: redis.url, timeoutMs: 500 }), diskCheck()],
      metrics: { maxCheckAgeMs: 500 },
    });
    const app = await serve(health);
    closers.push(app.close);

    // The receiving end of Alertmanager's webhook, as a chat or paging service would be.
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        delivered.push(...(JSON.parse(body) as { alerts: Alert[] }).alerts);
        res.end('ok');
      });
    });
    const hookPort = await unusedPort();
    await new Promise<void>((resolve) => hook.listen(hookPort, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => hook.close(() => resolve())));

    const alertmanagerPort = await unusedPort();
    const alertmanager = startProcess(
      alertmanagerBin,
      (dir) => {
        fs.writeFileSync(
          path.join(dir, 'alertmanager.yml'),
          [
            'route: { receiver: hook, group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 1h }',
            `receivers: [{ name: hook, webhook_configs: [{ url: "http://127.0.0.1:${hookPort}/hook" }] }]`,
          ].join('\n'),
        );
        return [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--storage.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
          '--cluster.listen-address=',
        ];
      },
      'alertmanager',
    );
    processes.push(alertmanager);

    const stack = generateStack(parseStackOptions({ name: 'e2e', app: `${app.url}/metrics` }));
    const rules = stack.get('alert_rules.yml')!.replace(/^(\s+for:) .+$/gm, '$1 1s');
    const prometheusPort = await unusedPort();
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    const prometheus = startProcess(
      prometheusBin,
      (dir) => {
        fs.writeFileSync(path.join(dir, 'alert_rules.yml'), rules);
        fs.writeFileSync(
          path.join(dir, 'prometheus.yml'),
          [
            'global: { scrape_interval: 1s, evaluation_interval: 1s }',
            'rule_files: [alert_rules.yml]',
            `alerting: { alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:${alertmanagerPort}"] }] }] }`,
            `scrape_configs: [{ job_name: e2e, metrics_path: /metrics, static_configs: [{ targets: ["${new URL(app.url).host}"] }] }]`,
          ].join('\n'),
        );
        return [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${prometheusPort}`,
        ];
      },
      'prometheus',
    );
    processes.push(prometheus);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await Promise.all(closers.map((close) => close()));
    await redis?.kill();
  });

  const query = async (promql: string): Promise<number | undefined> => {
    const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
    const first = body.data.result[0];
    return first ? Number(first.value[1]) : undefined;
  };
  const diagnostics = () => processes.map((p) => p.output().slice(-2000)).join('\n---\n');

  it('scrapes the app: up is 1 and the Vigil metrics are queryable', async () => {
    await waitFor('up{job="e2e"} == 1', async () => ((await query('up{job="e2e"}')) === 1 ? true : undefined)).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${diagnostics()}`);
      },
    );
    expect(await waitFor('vigil_check_up', () => query('vigil_check_up{check="redis_queue"}'))).toBe(1);
    expect(await query('vigil_health_status{job="e2e"}')).toBe(1);
    expect(await query('vigil_disk_total_bytes{job="e2e"}')).toBeGreaterThan(0);
    expect(await query('vigil_check_status{check="redis_queue",status="healthy"}')).toBe(1);
  });

  it('fires CheckUnhealthy when the Redis dies, and Alertmanager delivers it', async () => {
    await redis.kill();
    const alert = await waitFor('CheckUnhealthy in /api/v1/alerts', async () => {
      const res = await fetch(`${prometheusUrl}/api/v1/alerts`);
      const body = (await res.json()) as { data: { alerts: Alert[] } };
      return body.data.alerts.find((a) => a.labels.alertname === 'CheckUnhealthy' && a.labels.check === 'redis_queue');
    });
    expect(['pending', 'firing']).toContain(alert.state);
    expect(alert.labels.severity).toBeDefined();

    const received = await waitFor('the alert at the webhook', async () =>
      delivered.find((a) => a.labels.alertname === 'CheckUnhealthy' && a.labels.check === 'redis_queue'),
    );
    expect(received.status).toBe('firing');
    expect(received.labels.job).toBe('e2e');
  });
});
