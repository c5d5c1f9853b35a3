import { describe, expect, it } from 'vitest';
import { commandLine, DEFAULT_THRESHOLDS, parseStackOptions, StackOptionError } from '../src/stack/index.js';
import { SHOP_FLAGS, SHOP_RAW } from './support.js';

const app = 'http://127.0.0.1:8000/api/metrics';

describe('parseStackOptions', () => {
  it('takes metrics URLs apart into scrape jobs', () => {
    const options = parseStackOptions({
      name: 'shop',
      app,
      worker: 'https://worker.internal/metrics?format=prometheus&x=1&x=2',
      monitor: 'http://[::1]:3939/metrics',
    });
    expect(options.app).toMatchObject({ job: 'shop', scheme: 'http', address: '127.0.0.1:8000', metricsPath: '/api/metrics' });
    expect(options.worker).toMatchObject({
      job: 'shop-worker',
      scheme: 'https',
      address: 'worker.internal:443',
      metricsPath: '/metrics',
      params: { format: ['prometheus'], x: ['1', '2'] },
    });
    expect(options.monitor).toMatchObject({ job: 'vigil-monitor', address: '[::1]:3939' });
    expect(options.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(options.name).toBe('shop');
    expect(parseStackOptions({ app }).name).toBe('app');
  });

  it('parses thresholds', () => {
    const options = parseStackOptions({
      app,
      backlog: '250',
      failedJobs: '3',
      diskFreePercent: '12.5',
      dbSlowSeconds: '.25',
      errorRate: '7.5',
      certDays: '30',
      businessHours: '8-18',
      receivers: 'webhook,email',
    });
    expect(options.thresholds).toEqual({
      backlog: 250,
      failedJobs: 3,
      diskFreePercent: 12.5,
      dbSlowSeconds: 0.25,
      errorRate: 7.5,
      certDays: 30,
      businessHours: { from: 8, to: 18 },
    });
    expect(options.receivers.channels).toEqual(['email', 'webhook']);
  });

  it.each([
    [{ app: 'localhost:8000/metrics' }, '--app: expected an http:// or https:// URL, got "localhost:8000/metrics"'],
    [{ app: 'not a url' }, '--app: expected a full metrics URL such as http://127.0.0.1:8000/metrics, got "not a url"'],
    [{ app, worker: 'ftp://x/metrics' }, '--worker: expected an http:// or https:// URL, got "ftp://x/metrics"'],
    [{ app, monitor: '' }, '--monitor: expected a full metrics URL'],
    [{ app, backlog: 'many' }, '--backlog: expected a whole number ≥ 1, got "many"'],
    [{ app, backlog: '0' }, '--backlog: expected a whole number ≥ 1'],
    [{ app, failedJobs: '-1' }, '--failed-jobs: expected a whole number ≥ 1'],
    [{ app, diskFreePercent: '100' }, '--disk-free-percent: expected a number greater than 0 and less than 100'],
    [{ app, dbSlowSeconds: '0' }, '--db-slow-seconds: expected a number greater than 0'],
    [{ app, errorRate: '1e3' }, '--error-rate: expected a number greater than 0'],
    [{ app, certDays: '2.5' }, '--cert-days: expected a whole number ≥ 1'],
    [{ app, businessHours: '22-10' }, '--business-hours: expected FROM-TO'],
    [{ app, businessHours: '0-24' }, '--business-hours: expected FROM-TO'],
    [{ app, businessHours: '9-10' }, '--business-hours: expected FROM-TO'],
    [{ app, name: 'Shop App' }, '--name: expected lowercase letters'],
    [{ app, receivers: 'email,pager' }, '--receivers: expected one or more of email,slack,webhook'],
    [{ app, emailTo: 'ops' }, '--email-to: expected an e-mail address'],
    [{ app, emailFrom: 'a@example.com,b@example.com' }, '--email-from: expected one e-mail address'],
    [{ app, smtpSmarthost: 'smtp.example.com' }, '--smtp-smarthost: expected HOST:PORT'],
    [{ app, slackChannel: 'alerts' }, '--slack-channel: expected a channel such as #alerts'],
    [{}, '--app: the app’s metrics URL is required'],
  ])('rejects %j with a message naming the flag', (raw, message) => {
    expect(() => parseStackOptions(raw)).toThrow(StackOptionError);
    expect(() => parseStackOptions(raw)).toThrow(message);
  });

  it('refuses credentials in URLs without repeating them', () => {
    for (const raw of [
      { app: 'http://user:s3cret-pw@127.0.0.1:8000/metrics' },
      { app, webhookUrl: 'https://hooks.example.com/alerts?token=s3cret-pw' },
      { app, webhookUrl: 'https://user:s3cret-pw@hooks.example.com/alerts' },
    ]) {
      let message = '';
      try {
        parseStackOptions(raw);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^--(app|webhook-url): /);
      expect(message).not.toContain('s3cret-pw');
    }
  });
});

describe('commandLine', () => {
  it('gives back the flags that produce the options, defaults left out', () => {
    expect(commandLine(parseStackOptions(SHOP_RAW), 'monitoring')).toBe(
      `vigil stack --out monitoring ${SHOP_FLAGS.join(' ')}`,
    );
    expect(commandLine(parseStackOptions({ app, backlog: '5', receivers: 'slack' }))).toBe(
      `vigil stack --out DIR --app ${app} --backlog 5 --receivers slack`,
    );
  });
});
