/**
 * The status page in a real browser (Debian's Chromium through playwright-core), served by `vigil serve` in
 * process with real HTTP targets: what a visitor sees and can do — bars, live changes without a reload, tooltips
 * from the keyboard, the theme switch, badges, escaped user text, no accessibility violation (axe-core) in either
 * theme, and a page that works with JavaScript disabled.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMonitor, startMonitor } from '../../src/commands/serve.js';
import { eventually, startTarget, type Target, writeConfig } from '../service/harness.js';
import { tempDir } from '../support.js';
import { launchBrowser, runAxe } from './browser.js';

// What the functions passed to page.evaluate use, in the browser (the tests are type-checked without the DOM).
declare const window: any;
declare const document: any;
declare const getComputedStyle: any;
declare const Image: any;
declare const matchMedia: any;

let browser: Browser;
let dir: { dir: string; remove: () => Promise<void> };
let api: Target;
let web: Target;
let monitor: RunningMonitor;

beforeAll(async () => {
  browser = await launchBrowser();
  dir = await tempDir('status-page-browser');
  api = await startTarget(200);
  web = await startTarget(200);
  const file = await writeConfig(
    dir.dir,
    `
defaults: { interval: 1s, timeout: 800ms, retries: 0 }
maintenance:
  - name: Database upgrade
    monitors: [web]
    once: { start: "${new Date(Date.now() + 2 * 86_400_000).toISOString()}", duration: 2h }
status_pages:
  - slug: acme
    title: Acme status
    description: "Acme <script>window.__xss = 1</script>"
    default: true
    links: [{ label: Support, url: "https://example.com/help" }]
monitors:
  - id: api
    name: "API <img src=x onerror=\\"window.__xss = 2\\">"
    description: "<script>window.__xss = 3</script>"
    type: http
    url: ${api.url}/
    public: true
    group: Services
  - { id: web, name: Website, type: http, url: "${web.url}/", public: true, group: Services }
  - { id: hidden, name: Hidden thing, type: http, url: "${web.url}/hidden", group: Services }
`,
  );
  monitor = await startMonitor({ config: [file], port: '0', data: dir.dir, logFormat: 'json' }, { env: {}, logDestination: { write: () => undefined } });
  await eventually('both monitors up', () =>
    monitor.service.status('api')?.state === 'healthy' && monitor.service.status('web')?.state === 'healthy' ? true : undefined,
  );
}, 60_000);

afterAll(async () => {
  await monitor?.stop();
  await api?.close();
  await web?.close();
  await browser?.close();
  await dir?.remove();
});

async function open(options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${monitor.url}/`);
  return { context, page, errors };
}

describe('the status page in Chromium', () => {
  it('shows the public monitors with their bars, and user text as text', async () => {
    const { context, page, errors } = await open();
    await expect(page.locator('.banner h2').textContent()).resolves.toBe('All systems operational');
    await expect(page.locator('li.mon').count()).resolves.toBe(2);
    await expect(page.locator('#m-api .bar[data-unit="d"] i').count()).resolves.toBe(90);
    await expect(page.locator('#m-api .bar[data-unit="h"] i').count()).resolves.toBe(24);
    await expect(page.locator('#m-api h3').textContent()).resolves.toBe('API <img src=x onerror="window.__xss = 2">');
    await expect(page.locator('#m-api .md').first().textContent()).resolves.toBe('<script>window.__xss = 3</script>');
    await expect(page.locator('.lead').textContent()).resolves.toBe('Acme <script>window.__xss = 1</script>');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.content()).not.toContain('Hidden thing');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('turns a monitor and the banner when it goes down, and back, without a reload', async () => {
    const { context, page, errors } = await open();
    await page.waitForSelector('main[data-live="on"]');
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    web.status = 500;
    await page.waitForSelector('#m-web[data-state="major"]', { timeout: 15_000 });
    await expect(page.locator('#m-web .st-label').textContent()).resolves.toBe('Major outage');
    await page.waitForSelector('.banner[data-state="partial"]');
    await expect(page.locator('.banner h2').textContent()).resolves.toBe('Partial outage');
    await expect(page.locator('.group[data-group="0"] summary .st-label').textContent()).resolves.toBe('Partial outage');
    web.status = 200;
    await page.waitForSelector('#m-web[data-state="operational"]', { timeout: 15_000 });
    await page.waitForSelector('.banner[data-state="operational"]');
    // The same document all along: no reload happened.
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  }, 40_000);

  it('opens a day’s tooltip from the keyboard and moves through the days with the arrow keys', async () => {
    const { context, page } = await open();
    const bar = page.locator('#m-api .bar[data-unit="d"]');
    // Tab from the last link before it until the bar has focus: it is reachable by keyboard alone.
    await page.locator('a[href="https://example.com/help"]').focus();
    for (let i = 0; i < 10 && !(await bar.evaluate((element) => element === document.activeElement)); i++) await page.keyboard.press('Tab');
    expect(await bar.evaluate((element) => element === document.activeElement)).toBe(true);
    const tip = page.locator('#tip');
    await expect(tip.isVisible()).resolves.toBe(true);
    const today = new Intl.DateTimeFormat('en', { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' }).format(Date.now());
    await expect(tip.locator('strong').textContent()).resolves.toBe(today);
    await expect(tip.textContent()).resolves.toContain('100% uptime');
    await page.keyboard.press('ArrowLeft');
    const yesterday = new Intl.DateTimeFormat('en', { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' }).format(Date.now() - 86_400_000);
    await expect(tip.locator('strong').textContent()).resolves.toBe(yesterday);
    await expect(tip.textContent()).resolves.toContain('No data');
    await page.keyboard.press('Escape');
    await expect(tip.isVisible()).resolves.toBe(false);
    // A tap (a click) on a day opens its tooltip too.
    await page.locator('#m-api .bar[data-unit="h"] i').last().click();
    await expect(tip.isVisible()).resolves.toBe(true);
    await expect(tip.textContent()).resolves.toContain('UTC');
    await context.close();
  });

  it('draws the response time chart on demand', async () => {
    const { context, page } = await open();
    const toggle = page.locator('#m-api .chart-toggle');
    await expect(toggle.isVisible()).resolves.toBe(true);
    await toggle.click();
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
    await page.waitForSelector('#c-api svg circle.avg');
    await expect(page.locator('#c-api svg').getAttribute('aria-label')).resolves.toMatch(/^Response time of API/);
    await context.close();
  });

  it('switches between light and dark, following the system by default', async () => {
    const { context, page } = await open({ colorScheme: 'dark' });
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await background();
    await page.selectOption('#theme', 'light');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    const light = await background();
    expect(light).not.toBe(dark);
    // The choice is kept for the next visit.
    await page.reload();
    expect(await background()).toBe(light);
    await context.close();
  });

  it('has no accessibility violation (axe-core, WCAG 2.1 AA) in the light and the dark theme, all up or not', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { context, page } = await open({ colorScheme });
      expect(await runAxe(page), colorScheme).toEqual([]);
      await context.close();
    }
    // With an outage: the banner, a section and a monitor in other colours, incidents (one written by a person, with
    // updates, and one resolved), maintenance — and the incident history page.
    const ops = { name: 'ops' };
    const written = await monitor.service.statusIncidents.create(
      { title: 'Website errors', status: 'investigating', impact: 'major', monitors: [{ id: 'web', impact: 'major' }], published: true, message: 'Looking into it.' },
      ops,
    );
    await monitor.service.statusIncidents.update(written.id, { status: 'identified', message: 'A bad deploy.' }, ops);
    const resolved = await monitor.service.statusIncidents.create(
      { title: 'Slow API', status: 'monitoring', impact: 'minor', monitors: [{ id: 'api', impact: 'degraded' }], published: true, message: 'Fixed.' },
      ops,
    );
    await monitor.service.statusIncidents.update(resolved.id, { status: 'resolved', message: 'All good.' }, ops);
    web.status = 500;
    await eventually('the website down', () => (monitor.service.status('web')?.state === 'unhealthy' ? true : undefined));
    try {
      for (const colorScheme of ['light', 'dark'] as const) {
        const context = await browser.newContext({ colorScheme });
        const page = await context.newPage();
        await page.goto(`${monitor.url}/status/acme/history`);
        await expect(page.locator('article.incident').count()).resolves.toBe(2);
        // The page's script runs there too (the theme switch shows).
        await expect(page.locator('.theme').isVisible()).resolves.toBe(true);
        expect(await runAxe(page), `${colorScheme}, the history page`).toEqual([]);
        await context.close();
      }
      for (const colorScheme of ['light', 'dark'] as const) {
        const { context, page } = await open({ colorScheme });
        await expect(page.locator('.banner').getAttribute('data-state')).resolves.toBe('partial');
        await expect(page.locator('.notice.incidents article').textContent()).resolves.toContain('A bad deploy.');
        await expect(page.locator('.notice.recent').textContent()).resolves.toContain('Slow API');
        await expect(page.locator('.notice.upcoming').textContent()).resolves.toContain('Database upgrade');
        expect(await runAxe(page), `${colorScheme}, with an outage`).toEqual([]);
        await context.close();
      }
    } finally {
      await monitor.service.statusIncidents.remove(written.id, ops);
      await monitor.service.statusIncidents.remove(resolved.id, ops);
      web.status = 200;
      await eventually('the website up again', () => (monitor.service.status('web')?.state === 'healthy' ? true : undefined));
    }
  }, 30_000);

  it('works with JavaScript disabled: states, bars and uptimes are all there', async () => {
    const { context, page } = await open({ javaScriptEnabled: false });
    await expect(page.locator('.banner h2').textContent()).resolves.toMatch(/operational|outage/);
    await expect(page.locator('#m-web .st-label').textContent()).resolves.toMatch(/Operational|Major outage/);
    await expect(page.locator('#m-api .bar[data-unit="d"] i').count()).resolves.toBe(90);
    await expect(page.locator('#m-api .uptimes dd').count()).resolves.toBe(4);
    // What needs the script stays out of the way.
    await expect(page.locator('.theme').isVisible()).resolves.toBe(false);
    await expect(page.locator('#m-api .chart-toggle').isVisible()).resolves.toBe(false);
    expect(await runAxe(page)).toEqual([]);
    await context.close();
  });

  it('keeps states and days apart in forced-colours (high contrast) mode', async () => {
    const { context, page } = await open({ forcedColors: 'active' });
    expect(await page.evaluate(() => matchMedia('(forced-colors: active)').matches)).toBe(true);
    const colours = await page.evaluate(() => {
      const bar = document.querySelector('#m-api .bar[data-unit="d"]');
      const good = bar.querySelector('i:not([class])');
      const none = bar.querySelector('i.n');
      return { good: getComputedStyle(good).backgroundColor, none: getComputedStyle(none).backgroundColor, icon: getComputedStyle(document.querySelector('#m-api .icon')).stroke };
    });
    expect(colours.good).not.toBe(colours.none);
    expect(colours.icon).not.toBe('none');
    // The labels say the state in words whatever the colours.
    await expect(page.locator('#m-api .st-label').textContent()).resolves.toBe('Operational');
    await context.close();
  });

  it('renders badges as images', async () => {
    const { context, page } = await open();
    const sizes = await page.evaluate(async (base) => {
      const load = (src: string) =>
        new Promise<number>((resolve, reject) => {
          const image = new Image();
          image.onload = () => resolve(image.naturalWidth);
          image.onerror = () => reject(new Error(`${src} did not load`));
          image.src = src;
        });
      return Promise.all([
        load(`${base}/status/acme/badge.svg`),
        load(`${base}/status/acme/monitors/web/badge/status.svg`),
        load(`${base}/status/acme/monitors/api/badge/uptime.svg?window=24h`),
        load(`${base}/status/acme/monitors/api/badge/response.svg`),
      ]);
    }, monitor.url);
    for (const width of sizes) expect(width).toBeGreaterThan(40);
    await context.close();
  });
});
