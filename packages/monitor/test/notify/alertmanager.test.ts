/**
 * The `alertmanager` notifier against a real Prometheus Alertmanager (Debian's prometheus-alertmanager) on a free
 * port: a trigger becomes an active alert with Vigil's labels, which Alertmanager routes to its receiver (a local
 * webhook) as firing; the resolve ends the same alert (same labels), which Alertmanager then sends as resolved and
 * no longer lists. A test alert is its own alertname and ends by itself.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProcess, requireBinary, startProcess, waitFor } from '../../../../test/e2e/support/processes.js';
import { unusedPort } from '../../../core/test/support/net.js';
import { notifierFor, sampleNotification, send } from './receiver.js';

interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  status: { state: string };
}

interface HookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

describe('alertmanager against a real Alertmanager', () => {
  const binary = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');
  let alertmanager: RunningProcess;
  let hook: http.Server;
  let url = '';
  const delivered: HookAlert[] = [];

  beforeAll(async () => {
    // The receiving end of Alertmanager's routing, as a chat or a pager would be.
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        delivered.push(...(JSON.parse(body) as { alerts: HookAlert[] }).alerts);
        res.end('ok');
      });
    });
    const hookPort = await unusedPort();
    await new Promise<void>((resolve) => hook.listen(hookPort, '127.0.0.1', resolve));

    const port = await unusedPort();
    url = `http://127.0.0.1:${port}`;
    alertmanager = startProcess(
      binary,
      (dir) => {
        fs.writeFileSync(
          path.join(dir, 'alertmanager.yml'),
          [
            'route: { receiver: hook, group_by: [alert], group_wait: 0s, group_interval: 1s, repeat_interval: 1h }',
            `receivers: [{ name: hook, webhook_configs: [{ url: "http://127.0.0.1:${hookPort}/hook", send_resolved: true }] }]`,
          ].join('\n'),
        );
        return [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--storage.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
        ];
      },
      'alertmanager-notify',
    );
    await waitFor(
      'Alertmanager ready',
      async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined),
      20_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${alertmanager.output()}`);
    });
  }, 30_000);

  afterAll(async () => {
    await alertmanager?.stop();
    await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()));
  });

  const alerts = async (filter: string): Promise<ApiAlert[]> => {
    const response = await fetch(`${url}/api/v2/alerts?filter=${encodeURIComponent(filter)}`);
    expect(response.status).toBe(200);
    return (await response.json()) as ApiAlert[];
  };

  it('a trigger fires an alert with the labels; the resolve ends it', async () => {
    const notifier = notifierFor({ type: 'alertmanager', url, labels: { team: 'ops' } });
    const startedAt = Date.now() - 60_000;
    const alertKey = `shop-api/local/${startedAt}`;
    const trigger = sampleNotification({ alertKey, at: startedAt, idempotencyKey: `${alertKey}/ops#1` });

    expect(await send(notifier, trigger)).toMatchObject({ outcome: 'delivered', status: 200 });

    const [active] = await alerts(`alert="${alertKey}"`);
    expect(active).toMatchObject({
      labels: {
        alertname: 'VigilMonitorDown',
        monitor: 'shop-api',
        monitor_name: 'Shop <b>&"*_ API',
        severity: 'critical',
        location: 'local',
        group: 'Shop',
        alert: alertKey,
        team: 'ops',
      },
      annotations: {
        summary: 'Shop <b>&"*_ API is down',
        description: 'GET https://shop.example.com/health returned status 503 (expected 200-299)',
        target: 'https://shop.example.com/health',
      },
      generatorURL: 'https://vigil.example.com/monitors/shop-api',
      status: { state: 'active' },
    });
    expect(Date.parse(active!.startsAt)).toBe(startedAt);
    expect(Date.parse(active!.endsAt)).toBe(startedAt + 86_400_000);
    const firing = await waitFor('the firing alert at the receiver', async () =>
      delivered.find((a) => a.labels.alert === alertKey && a.status === 'firing'),
    );
    expect(firing.labels.alertname).toBe('VigilMonitorDown');

    const recoveredAt = Date.now();
    const resolve = sampleNotification({
      kind: 'resolve',
      state: 'healthy',
      alertKey,
      since: startedAt,
      at: recoveredAt,
      idempotencyKey: `${alertKey}/ops#2`,
    });
    expect(await send(notifier, resolve)).toMatchObject({ outcome: 'delivered', status: 200 });

    const resolved = await waitFor('the resolved alert at the receiver', async () =>
      delivered.find((a) => a.labels.alert === alertKey && a.status === 'resolved'),
    );
    expect(Date.parse(resolved.endsAt)).toBe(recoveredAt);
    expect(Date.parse(resolved.startsAt)).toBe(startedAt);
    expect(resolved.annotations.summary).toBe('Shop <b>&"*_ API recovered after 1m');
    // Resolved alerts are no longer listed, active or not.
    expect(await alerts(`alert="${alertKey}"`)).toEqual([]);
    const everything = await fetch(`${url}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true`);
    expect(((await everything.json()) as ApiAlert[]).filter((a) => a.labels.alert === alertKey)).toEqual([]);
  });

  it('a reminder keeps the alert one alert, and moves its end on', async () => {
    const notifier = notifierFor({ type: 'alertmanager', url, ends_after: '1h' });
    const startedAt = Date.now() - 120_000;
    const alertKey = `shop-api/local/${startedAt}`;
    await send(notifier, sampleNotification({ alertKey, at: startedAt }));
    const remindedAt = Date.now();
    await send(notifier, sampleNotification({ kind: 'reminder', alertKey, since: startedAt, at: remindedAt }));
    const listed = await alerts(`alert="${alertKey}"`);
    expect(listed).toHaveLength(1);
    expect(Date.parse(listed[0]!.startsAt)).toBe(startedAt);
    expect(Date.parse(listed[0]!.endsAt)).toBe(remindedAt + 3_600_000);
    expect(listed[0]!.annotations.summary).toBe('Shop <b>&"*_ API is still down (for 2m)');
  });

  it('a test is a VigilTest alert that ends by itself in five minutes', async () => {
    const notifier = notifierFor({ type: 'alertmanager', url });
    const at = Date.now();
    const outcome = await send(
      notifier,
      sampleNotification({ kind: 'test', severity: 'info', alertKey: `test/am/${at}`, at, cause: undefined, url: undefined }),
    );
    expect(outcome.outcome).toBe('delivered');
    const [test] = await alerts(`alert="test/am/${at}"`);
    expect(test!.labels).toMatchObject({ alertname: 'VigilTest', severity: 'info' });
    expect(Date.parse(test!.endsAt)).toBe(at + 5 * 60_000);
  });
});
