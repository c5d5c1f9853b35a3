/**
 * The admin dashboard in a real browser (Debian's Chromium through playwright-core), served by `vigil serve` in
 * process with real HTTP targets and a real Redis with BullMQ queues: what someone on call does — sign in (a wrong
 * token refused), find and filter monitors, see a state change live, create a monitor through the form (errors next
 * to the field) and see it checked, pause it, post a status page incident update that the public page shows, see a
 * failed job and retry it — with user text shown as text, writes refused without the CSRF token, and no
 * accessibility violation (axe-core) on any page.
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api/tokens.js';
import { type RunningMonitor, startMonitor } from '../../src/commands/serve.js';
import { LocalServers } from '../notify/servers.js';
import { eventually, startTarget, type Target, writeConfig } from '../service/harness.js';
import { tempDir } from '../support.js';
import { launchBrowser, runAxe } from './browser.js';

declare const window: any;
declare const document: any;

const REDIS = { host: '127.0.0.1', port: 6379 };
// A prefix of this run's own: the shared Redis is never flushed, only these keys are removed.
const PREFIX = `vigiltest-admin-${randomBytes(4).toString('hex')}`;
const PING_KEY = 'admin-test-nightly-key';
const NASTY = `Shop "<img src=x onerror=window.__xss=1>" & <script>window.__xss=2</script>`;

let browser: Browser;
let dir: { dir: string; remove: () => Promise<void> };
let shop: Target;
let created: Target;
let backend: Target;
const servers = new LocalServers();
const received: { path: string; body: any }[] = [];
let monitor: RunningMonitor;
let adminToken: string;
let readToken: string;
let queue: Queue;
let worker: Worker;
let attempts = 0;
let context: BrowserContext;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  dir = await tempDir('admin-browser');
  shop = await startTarget(200);
  created = await startTarget(200);
  backend = await startTarget(200);
  const hook = await servers.receiver((path, body) => received.push({ path, body }));
  const file = await writeConfig(
    dir.dir,
    `
defaults: { interval: 1s, timeout: 800ms, retries: 0 }
alerts:
  channels: { hook: { type: webhook, url: "${hook}/hook" } }
  routes: { warning: [hook] }
  defaults: { severity: warning }
status_pages:
  - { slug: acme, title: Acme status, default: true }
monitors:
  - id: shop
    name: ${JSON.stringify(NASTY)}
    description: "<b>typed</b> by a user"
    type: http
    url: ${shop.url}/
    public: true
    group: Services
    tags: [frontend]
  - { id: backend, name: Backend, type: http, url: "${backend.url}/backend", group: Services, tags: [internal] }
  - { id: redis, name: Job Redis, type: redis, url: "redis://127.0.0.1:6379", bullmq_prefix: ${PREFIX}, interval: 5s, timeout: 2s }
  - { id: nightly, name: Nightly export, type: heartbeat, schedule: { period: 1d }, ping_key: ${PING_KEY}, methods: [POST] }
`,
  );
  monitor = await startMonitor({ config: [file], port: '0', data: dir.dir, logFormat: 'json' }, { env: {}, logDestination: { write: () => undefined } });
  adminToken = (await createApiToken(monitor.store, 'on-call', { scope: 'admin' })).token;
  readToken = (await createApiToken(monitor.store, 'viewer', { scope: 'read' })).token;
  // A queue with a job that fails on its first attempt and succeeds when retried.
  queue = new Queue('emails', { connection: REDIS, prefix: PREFIX });
  worker = new Worker(
    'emails',
    async () => {
      attempts++;
      if (attempts === 1) throw new Error('SMTP <refused> the message');
      return 'sent';
    },
    { connection: REDIS, prefix: PREFIX, name: 'mailer' },
  );
  await queue.add('welcome', { to: 'ann@example.com' }, { attempts: 1 });
  await eventually('the job to fail', async () => ((await queue.getFailedCount()) === 1 ? true : undefined), 15_000);
  await eventually('both monitors up', () =>
    monitor.service.status('shop')?.state === 'healthy' && monitor.service.status('backend')?.state === 'healthy' ? true : undefined,
  );
  context = await browser.newContext();
  page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // Refusals the tests provoke (a wrong form, a write without the CSRF token) show as failed loads.
    if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) errors.push(message.text());
  });
}, 90_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await worker?.close();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await monitor?.stop();
  await shop?.close();
  await created?.close();
  await backend?.close();
  await servers.closeAll();
  await dir?.remove();
});

async function signIn(target: Page, token: string): Promise<void> {
  await target.goto(`${monitor.url}/admin`);
  await target.waitForURL(/\/admin\/login\?next=/);
  await target.fill('#token', token);
  await target.click('.login button[type="submit"]');
}

const noXss = (target: Page) => target.evaluate(() => window.__xss);

describe('the admin dashboard in Chromium', () => {
  it('refuses a wrong token without saying which part was wrong, and sets no session', async () => {
    const other = await browser.newContext();
    const tab = await other.newPage();
    await signIn(tab, `${adminToken.slice(0, -4)}AAAA`);
    await expect(tab.locator('.form-error').textContent()).resolves.toBe('Sign-in failed: this is not a valid API token.');
    expect((await other.cookies()).map((cookie) => cookie.name)).not.toContain('vigil_session');
    // The same answer for something that is not a token at all.
    await tab.fill('#token', 'hello');
    await tab.click('.login button[type="submit"]');
    await expect(tab.locator('.form-error').textContent()).resolves.toBe('Sign-in failed: this is not a valid API token.');
    expect(await runAxe(tab)).toEqual([]);
    await other.close();
  });

  it('signs in with a token and lists every monitor, private ones too, most urgent first', async () => {
    shop.status = 500;
    await eventually('the shop down', () => (monitor.service.status('shop')?.state === 'unhealthy' ? true : undefined));
    await signIn(page, adminToken);
    await page.waitForURL(`${monitor.url}/admin`);
    const cookie = (await context.cookies()).find((c) => c.name === 'vigil_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Strict');
    expect(cookie?.value).not.toContain(adminToken);
    await expect(page.locator('#monitors tbody tr').count()).resolves.toBe(4);
    await expect(page.locator('#monitors tbody tr').first().getAttribute('data-id')).resolves.toBe('shop');
    await expect(page.locator('#monitors tbody tr[data-id="backend"] .state').textContent()).resolves.toBe('Up');
    // User text is text.
    await expect(page.locator('#monitors tbody tr[data-id="shop"] a').textContent()).resolves.toBe(NASTY);
    expect(await noXss(page)).toBeUndefined();
    expect(await runAxe(page)).toEqual([]);
  }, 30_000);

  it('filters by search, state and tag as one types', async () => {
    await page.fill('input[name="q"]', 'backend');
    await expect(page.locator('#monitors tbody tr:not([hidden])').count()).resolves.toBe(1);
    await page.fill('input[name="q"]', '');
    await page.selectOption('select[name="state"]', 'unhealthy');
    await expect(page.locator('#monitors tbody tr:not([hidden])').count()).resolves.toBe(1);
    await expect(page.locator('#monitors tbody tr:not([hidden])').getAttribute('data-id')).resolves.toBe('shop');
    await page.selectOption('select[name="state"]', '');
    await page.selectOption('select[name="tag"]', 'internal');
    await expect(page.locator('#monitors tbody tr:not([hidden])').getAttribute('data-id')).resolves.toBe('backend');
    expect(page.url()).toContain('tag=internal');
    await page.selectOption('select[name="tag"]', '');
    await expect(page.locator('#monitors tbody tr:not([hidden])').count()).resolves.toBe(4);
  });

  it('shows a state change live, without a reload', async () => {
    await page.evaluate(() => (window.__sameDocument = true));
    shop.status = 200;
    await page.waitForSelector('#monitors tr[data-id="shop"][data-state="healthy"]', { timeout: 15_000 });
    await expect(page.locator('#monitors tr[data-id="shop"] .state').textContent()).resolves.toBe('Up');
    expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
  }, 30_000);

  it('refuses a write that does not carry the session’s CSRF token', async () => {
    const answers = await page.evaluate(async () => {
      const post = (headers: Record<string, string>) => fetch('/api/v1/monitors/backend/pause', { method: 'POST', headers }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error: { code: string } } }));
      const token = document.querySelector('meta[name="csrf-token"]').content;
      return { without: await post({}), wrong: await post({ 'x-csrf-token': 'x'.repeat(token.length) }) };
    });
    expect(answers.without.status).toBe(403);
    expect(answers.without.body.error.code).toBe('csrf_failed');
    expect(answers.wrong.status).toBe(403);
    expect(monitor.service.status('backend')?.paused).toBe(false);
  });

  it('creates a monitor through the form, with a mistake shown next to its field, and sees it checked', async () => {
    await page.goto(`${monitor.url}/admin/monitors/new`);
    expect(await runAxe(page)).toEqual([]);
    await page.selectOption('#monitor-type', 'http');
    await page.fill('#f-http-name', 'Payments <i>API</i>');
    await page.fill('#f-http-url', 'ftp://example.com/');
    await page.fill('#f-http-interval', '1s');
    await page.fill('#f-http-timeout', '800ms');
    await page.click('#monitor-form button[type="submit"]');
    await page.waitForSelector('#f-http-url[aria-invalid="true"]');
    await expect(page.locator('#f-http-url-error').textContent()).resolves.toMatch(/http|https/);
    // Only the field that is wrong.
    await expect(page.locator('#monitor-form [aria-invalid="true"]').count()).resolves.toBe(1);
    await page.fill('#f-http-url', `${created.url}/pay`);
    await page.click('#monitor-form button[type="submit"]');
    await page.waitForURL(/\/admin\/monitors\/payments-i-api-i$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Payments <i>API</i>');
    await eventually('the new monitor checked', () => (created.paths.includes('/pay') ? true : undefined));
    await eventually('the new monitor up', () => (monitor.service.status('payments-i-api-i')?.state === 'healthy' ? true : undefined));
    await page.reload();
    await expect(page.locator('.heading .state').textContent()).resolves.toBe('Up');
    await expect(page.locator('#results ~ .table-wrap tbody tr').count()).resolves.toBeGreaterThan(0);
    expect(await runAxe(page)).toEqual([]);
  }, 40_000);

  it('edits it with the same form, filled in with its definition', async () => {
    await page.click('#actions a:has-text("Edit")');
    await page.waitForURL(/\/admin\/monitors\/payments-i-api-i\/edit$/);
    await expect(page.locator('#f-http-url').inputValue()).resolves.toBe(`${created.url}/pay`);
    await page.fill('#f-http-tags', 'payments\nteam <a>');
    await page.click('#monitor-form button[type="submit"]');
    await page.waitForURL(/\/admin\/monitors\/payments-i-api-i$/);
    expect(monitor.service.status('payments-i-api-i')?.monitor.config.tags).toEqual(['payments', 'team <a>']);
    await expect(page.locator('main').textContent()).resolves.toContain('tags payments, team <a>');
  });

  it('pauses it and resumes it', async () => {
    await page.click('#actions button:has-text("Pause")');
    await page.waitForSelector('#actions button:has-text("Resume")');
    expect(monitor.service.status('payments-i-api-i')?.paused).toBe(true);
    await expect(page.locator('.heading .state').textContent()).resolves.toBe('Paused');
    await page.click('#actions button:has-text("Resume")');
    await page.waitForSelector('#actions button:has-text("Pause")');
    expect(monitor.service.status('payments-i-api-i')?.paused).toBe(false);
  });

  it('shows a configuration monitor read-only, with the file and line it comes from', async () => {
    await page.goto(`${monitor.url}/admin/monitors/backend`);
    await expect(page.locator('main').textContent()).resolves.toMatch(/vigil\.yaml:\d+/);
    await expect(page.locator('#actions a:has-text("Edit")').count()).resolves.toBe(0);
    await expect(page.locator('#actions button:has-text("Pause")').count()).resolves.toBe(1);
  });

  it("shows a heartbeat's latest pings, what a job sent shown as text", async () => {
    const failed = await fetch(`${monitor.url}/ping/${PING_KEY}/fail`, { method: 'POST', body: NASTY, headers: { 'User-Agent': '<b>cron</b>' } });
    expect(await failed.text()).toBe('OK');
    const ignored = await fetch(`${monitor.url}/ping/${PING_KEY}`, { headers: { 'User-Agent': 'LinkPreviewBot' } });
    expect(await ignored.text()).toBe('OK');
    await page.goto(`${monitor.url}/admin/monitors/nightly`);
    const rows = await page.locator('section[aria-labelledby="pings"] tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/ignored\s+method GET is not counted \(methods: POST\)\s+GET\s+127\.0\.0\.1\s+LinkPreviewBot/);
    expect(rows[1]).toContain('fail');
    expect(rows[1]).toContain('<b>cron</b>');
    expect(rows[1]).toContain(NASTY);
    expect(await noXss(page)).toBeUndefined();
    expect(await runAxe(page)).toEqual([]);
  });

  it('creates a status page incident, posts an update, and the public page shows it', async () => {
    await page.goto(`${monitor.url}/admin/incidents`);
    await page.click('summary:has-text("New status page incident")');
    await page.fill('#si-title', 'Checkout <b>slow</b>');
    await page.selectOption('#si-monitors', 'shop');
    await page.fill('#si-message', 'We are looking into it.');
    await page.click('button:has-text("Create incident")');
    await page.waitForSelector('article.card h3:has-text("Checkout <b>slow</b>")');
    const article = page.locator('article.card', { hasText: 'Checkout <b>slow</b>' });
    await article.locator('select[name="status"]').selectOption('identified');
    await article.locator('textarea[name="message"]').fill('A <script>window.__xss=3</script> database index was missing.');
    await article.locator('button:has-text("Post update")').click();
    await page.waitForSelector('article.card .updates li:has-text("database index was missing")');
    expect(await noXss(page)).toBeUndefined();
    expect(await runAxe(page)).toEqual([]);
    const publicPage = await context.newPage();
    await publicPage.goto(`${monitor.url}/`);
    await expect(publicPage.locator('.incident h3').first().textContent()).resolves.toBe('Checkout <b>slow</b>');
    await expect(publicPage.locator('.incident').first().textContent()).resolves.toContain('A <script>window.__xss=3</script> database index was missing.');
    expect(await noXss(publicPage)).toBeUndefined();
    await publicPage.close();
  }, 30_000);

  it('schedules maintenance for a monitor, which is in maintenance at once, and deletes it', async () => {
    await page.goto(`${monitor.url}/admin/incidents`);
    await page.click('summary:has-text("Schedule maintenance")');
    await page.fill('#mw-title', 'Database <upgrade>');
    // datetime-local takes the browser's local time.
    const [start, end] = await page.evaluate(() => {
      const local = (ms: number) => new Date(ms - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      return [local(Date.now() - 60_000), local(Date.now() + 3_600_000)];
    });
    await page.fill('#mw-start', start);
    await page.fill('#mw-end', end);
    await page.selectOption('#mw-monitors', 'backend');
    await page.click('form button:has-text("Schedule")');
    const row = page.locator('tr', { hasText: 'Database <upgrade>' });
    await row.waitFor();
    await eventually('backend in maintenance', () => (monitor.service.status('backend')?.state === 'maintenance' ? true : undefined));
    expect(await runAxe(page)).toEqual([]);
    page.once('dialog', (dialog) => void dialog.accept());
    await row.locator('button:has-text("Delete")').click();
    await page.waitForSelector('td:has-text("No maintenance ongoing or planned.")');
    await eventually('backend out of maintenance', () => (monitor.service.status('backend')?.state !== 'maintenance' ? true : undefined));
  }, 30_000);

  it('shows the failed BullMQ job with its arguments and error, and retries it', async () => {
    await page.goto(`${monitor.url}/admin/jobs`);
    const failed = page.locator('table.jobs-list tbody tr', { hasText: 'welcome' });
    await failed.waitFor({ timeout: 15_000 });
    await expect(failed.textContent()).resolves.toContain('SMTP <refused> the message');
    await expect(failed.textContent()).resolves.toContain('ann@example.com');
    await expect(page.locator('table.jobs-queues tbody tr', { hasText: 'emails' }).textContent()).resolves.toContain('emails');
    await expect(page.locator('table.jobs-workers tbody').textContent()).resolves.toContain('mailer');
    expect(await runAxe(page)).toEqual([]);
    await failed.locator('button:has-text("Retry")').click();
    await eventually('the job retried and done', async () => (attempts === 2 && (await queue.getCompletedCount()) === 1 ? true : undefined), 15_000);
    await page.waitForSelector('table.jobs-list tbody td.muted:has-text("No failed job.")', { timeout: 20_000 });
  }, 60_000);

  it('lists deliveries and channels, and manages tokens (a new one shown once)', { timeout: 60_000 }, async () => {
    // The backend goes down: its alert is delivered, and the page lists it with its attempt.
    backend.status = 500;
    await eventually('the backend alert delivered', () => (received.some((r) => r.path === '/hook' && JSON.stringify(r.body).includes('backend')) ? true : undefined), 30_000);
    backend.status = 200;
    await page.goto(`${monitor.url}/admin/notifications`);
    const delivered = page.locator('tbody tr[data-status="delivered"]', { hasText: 'backend' });
    await delivered.first().waitFor();
    await delivered.first().locator('summary').click();
    await expect(delivered.first().locator('details li').first().textContent()).resolves.toMatch(/delivered \(HTTP 200\)/);
    expect(await runAxe(page)).toEqual([]);
    const before = received.length;
    await page.click('tr:has-text("webhook") button:has-text("Send a test")');
    await page.waitForSelector('#toast.shown');
    await expect(page.locator('#toast').textContent()).resolves.toMatch(/^Delivered in \d+ ms\.$/);
    expect(received.length).toBe(before + 1);
    await page.goto(`${monitor.url}/admin/tokens`);
    await expect(page.locator('tbody').textContent()).resolves.toContain('viewer');
    await page.fill('#token-name', 'ci <pipeline>');
    await page.selectOption('#token-scope', 'read');
    await page.click('button:has-text("Create token")');
    await page.waitForSelector('#new-token:not([hidden])');
    const secret = await page.locator('#new-token-value').textContent();
    expect(secret).toMatch(/^vgl_/);
    const check = await fetch(`${monitor.url}/api/v1/monitors/backend`, { headers: { authorization: `Bearer ${secret}` } });
    expect(check.status).toBe(200);
    expect(await runAxe(page)).toEqual([]);
  });

  it('gives a read-only session no way to change anything', async () => {
    const other = await browser.newContext();
    const tab = await other.newPage();
    await signIn(tab, readToken);
    await tab.waitForURL(`${monitor.url}/admin`);
    await expect(tab.locator('a:has-text("New monitor")').count()).resolves.toBe(0);
    await tab.goto(`${monitor.url}/admin/monitors/backend`);
    await expect(tab.locator('#actions button').count()).resolves.toBe(0);
    const status = await tab.evaluate(async () => {
      const token = document.querySelector('meta[name="csrf-token"]').content;
      return (await fetch('/api/v1/monitors/backend/pause', { method: 'POST', headers: { 'x-csrf-token': token } })).status;
    });
    expect(status).toBe(403);
    await other.close();
  });

  it('signs out, and the old cookie no longer works', async () => {
    const before = (await context.cookies()).find((c) => c.name === 'vigil_session')?.value;
    await page.goto(`${monitor.url}/admin`);
    await page.click('.signout button');
    await page.waitForURL(/\/admin\/login/);
    const replay = await fetch(`${monitor.url}/admin`, { headers: { cookie: `vigil_session=${before}` }, redirect: 'manual' });
    expect(replay.status).toBe(303);
    expect(errors.join('\n')).toBe('');
  });
});
