// Question: is the admin dashboard's monitors page (`/admin`) usable — its table with its data in the DOM and
// painted, its script run so that the search box filters — within 1 s in Chromium on this machine, and does it
// transfer under 300 KB compressed (document, script, style sheet), with 1,000 monitors? With 10,000, does it page
// (page 1 of 10), and what do page 1 and a search cost? Also: how long the search box takes to hide rows, the
// server's time for the HTML, and where the rest of the time goes (the same page without its script, and with no
// row). Baseline in the same run: the public status page (`/`) of the same server, with the same monitors (all
// public), loaded and timed the same way.
// Run: npm run bench:dashboard   (builds first; about 2½ minutes, seeding included; BENCH_ROUNDS=1 BENCH_LARGE=0
// for a quick run, about 40 s)
// Functions passed to the page (page.evaluate, addInitScript) run in Chromium:
/* global window, document, requestAnimationFrame, MutationObserver */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { addStates, monitorId, seedStore } from './status-page-seed.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'packages/monitor/dist/cli.js');
const CHROMIUM = '/usr/bin/chromium';
// As the browser tests start it (packages/monitor/test/web/browser.ts): no sandbox, none of Chromium's own traffic.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Page loads per page and size (each in a fresh tab, HTTP cache disabled). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MONITORS = 1000;
/** Rows on one page of the dashboard (MONITORS_PAGE_SIZE in packages/monitor/src/admin/pages/monitors.ts). */
const DASHBOARD_PAGE = 250;
/** The large installation (0 skips it): the same 1,000 with their history, the others without. */
const LARGE = Number(process.env.BENCH_LARGE ?? 10_000);
/** Days of history seeded (the dashboard reads the last 24 hours; the status page, the baseline, 90 days). */
const DAYS = Number(process.env.BENCH_DAYS ?? 90);
/**
 * Older days (before the last 7, which have a result every 10–15 minutes) have a result every this many hours. The
 * dashboard reads only the last 24 hours and the status page reads older days from daily rollups either way; a
 * result a day keeps seeding to about half a minute (bench/status-page.mjs uses 3).
 */
const OLD_SPACING_H = Number(process.env.BENCH_OLD_SPACING_H ?? 24);
const GROUP_SIZE = 50;
const DOWN_INDEX = 7;
/** Typed into the search box one key at a time: `site-009` leaves 100 of 1,000 rows, `site-0099` 10. */
const SEARCH = 'site-0099';
const SEARCH_MATCHES = 10;
const BUDGET = { usableMs: 1000, kb: 300 };
/** Sequential requests from Node for the server's time for the HTML, once per page and size after the rounds. */
const SERVER_REQUESTS = 10;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs) => Math.max(...xs);
const f = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const int = (n) => Math.round(n).toLocaleString('en-US');
const log = (message) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

async function copyDb(from, to) {
  await copyFile(from, to);
  await copyFile(`${from}-wal`, `${to}-wal`).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = once(child, 'exit');
  child.kill('SIGTERM');
  await exit;
}

/** One GET from Node (for the sizes of each encoding): status, headers, body. */
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    http
      .get(url, { headers }, (res) => {
        const firstByteMs = performance.now() - started;
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), firstByteMs }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

// ------------------------------------------------------------------------------------------------ the monitors

const padded = (index) => String(index).padStart(5, '0');
const DESCRIPTION = 'The public API of this region, behind its load balancer.';

/**
 * As bench/status-page.mjs: every monitor public (the baseline shows them), TCP against a local target, hourly (checks
 * do not weigh on the figures); in groups of 50, with two tags each (the dashboard shows tags, the status page not).
 */
function configYaml(count, targetPort) {
  const lines = ['defaults:', '  interval: 1h', '  timeout: 5s', 'monitors:'];
  for (let i = 0; i < count; i++) {
    lines.push(`  - name: Site ${padded(i)}`, `    id: ${monitorId(i)}`, '    type: tcp', '    host: 127.0.0.1', `    port: ${i === DOWN_INDEX ? 1 : targetPort}`, '    public: true');
    lines.push(`    group: Region ${String(Math.floor(i / GROUP_SIZE) + 1).padStart(3, '0')}`, `    tags: [production, team-${i % 8}]`);
    if (i % 10 === 0) lines.push(`    description: ${DESCRIPTION}`);
  }
  return `${lines.join('\n')}\n`;
}

// ------------------------------------------------------------------------------------------------ vigil serve

async function serve(config, data) {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config, '--port', '0', '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VIGIL_PORT: '', VIGIL_HOST: '', VIGIL_CONFIG: '' },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const started = performance.now();
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(output);
    if (match) return { child, url: match[1].replace(/\/$/, ''), startMs: performance.now() - started, output: () => output };
    if (child.exitCode !== null) throw new Error(`vigil serve exited:\n${output}`);
    await sleep(20);
  }
}

function createToken(dir) {
  return execFileSync(process.execPath, [CLI, 'token', 'create', '--name', 'bench', '--scope', 'admin', '--data', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
    .split('\n')[0]
    .trim();
}

// ------------------------------------------------------------------------------------------------ in the page

/**
 * Runs in the page before its own scripts (an init script: the page's CSP does not apply to it). Watches the
 * document as it is parsed: `rows` when the element after the list (`end`) exists, i.e. every row is in the DOM;
 * `rowsPainted` at the first frame after that; `usable` at the first frame after DOMContentLoaded (the deferred
 * script has run: the search box filters), with the rows there. "At the first frame after": a task queued from a
 * requestAnimationFrame callback, which runs once that frame is painted.
 */
function watchPage({ end }) {
  const bench = (window.__bench = { keys: [] });
  const afterPaint = (done) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => done(performance.now());
      channel.port2.postMessage(null);
    });
  const check = () => {
    if (bench.rows !== undefined || !document.querySelector(end)) return false;
    bench.rows = performance.now();
    afterPaint((at) => (bench.rowsPainted = at));
    return true;
  };
  const observer = new MutationObserver(() => check() && observer.disconnect());
  observer.observe(document, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', () => {
    check();
    observer.disconnect();
    afterPaint((at) => (bench.usable = at));
  });
  // Each key typed in the search box: from its keydown, through the input event (the page's own listener, on the
  // form, runs before this one, on the document) to the frame painted after it.
  document.addEventListener('keydown', (event) => (bench.keyAt = event.timeStamp), true);
  document.addEventListener('input', (event) => {
    const start = bench.keyAt ?? event.timeStamp;
    afterPaint((painted) => bench.keys.push({ start, painted }));
  });
}

/** Navigation and resource timing, paint entries and the marks of watchPage. */
function pageTimings({ rows }) {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const resources = performance.getEntriesByType('resource').map((entry) => ({
    url: entry.name,
    type: entry.initiatorType,
    transfer: entry.transferSize,
    encoded: entry.encodedBodySize,
  }));
  return {
    timeOrigin: performance.timeOrigin,
    requestStart: nav.requestStart,
    responseStart: nav.responseStart,
    responseEnd: nav.responseEnd,
    domInteractive: nav.domInteractive,
    dclEnd: nav.domContentLoadedEventEnd,
    fcp: fcp?.startTime,
    doc: { transfer: nav.transferSize, encoded: nav.encodedBodySize },
    resources,
    rowCount: document.querySelectorAll(rows).length,
    pager: document.querySelector('nav.pager span')?.textContent ?? '',
    bench: window.__bench,
  };
}

const PAGES = {
  dashboard: { path: '/admin', rows: '#monitors tbody tr[data-id]', end: '#toast' },
  status: { path: '/', rows: 'li.mon', end: 'footer.bottom' },
  // Where the time goes: the dashboard with its script refused (no relative times, no search): HTML and CSS alone.
  bare: { path: '/admin', rows: '#monitors tbody tr[data-id]', end: '#toast', blockScript: true },
  // And the same page with no row (a search that matches nothing): what opening a tab on the dashboard costs.
  empty: { path: '/admin', query: '?q=no-such-monitor', rows: '#monitors tbody tr[data-id]', end: '#toast' },
};

const msOf = (metrics, name) => (metrics.find((metric) => metric.name === name)?.value ?? NaN) * 1000;

/**
 * One load of a page in a fresh tab of the signed-in context, with the HTTP cache disabled (every load fetches the
 * document, script and style sheet over the network: a cold load), then, on the dashboard, the search typed a key
 * at a time (`search: 'client'`: one page, the script filters its rows). With `search: 'server'` (several pages:
 * the server filters), the search is submitted and the result page timed.
 */
async function loadPage(context, base, kind, { expectRows, search }) {
  const spec = PAGES[kind];
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  try {
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    // Refused in the network stack (no request interception, which would delay every request of the page).
    if (spec.blockScript) await cdp.send('Network.setBlockedURLs', { urls: ['*/admin/assets/*.js'] });
    await cdp.send('Performance.enable');
    const responses = [];
    page.on('response', (response) => {
      responses.push({ url: response.url(), encoding: response.headers()['content-encoding'] ?? '' });
    });
    await page.addInitScript(watchPage, { end: spec.end });

    const response = await page.goto(`${base}${spec.path}${spec.query ?? ''}`, { waitUntil: 'load' });
    if (response?.status() !== 200 || new URL(page.url()).pathname !== spec.path) throw new Error(`${spec.path}: ${response?.status()} at ${page.url()}`);
    await page.waitForFunction(() => window.__bench.usable !== undefined && window.__bench.rowsPainted !== undefined);
    const t = await page.evaluate(pageTimings, { rows: spec.rows });
    const metrics = (await cdp.send('Performance.getMetrics')).metrics;
    if (t.rowCount !== expectRows) throw new Error(`${spec.path}: ${t.rowCount} rows, expected ${expectRows}`);
    const assets = t.resources.filter((entry) => entry.type === 'script' || entry.type === 'link');
    if (assets.filter((entry) => entry.transfer > 0).length !== (spec.blockScript ? 1 : 2)) throw new Error(`${spec.path}: assets not loaded over the network: ${JSON.stringify(assets)}`);
    const htmlResponse = responses.find((entry) => new URL(entry.url).pathname === spec.path);
    const out = {
      serverMs: t.responseStart - t.requestStart,
      requestStart: t.requestStart,
      responseStart: t.responseStart,
      responseEnd: t.responseEnd,
      fcp: t.fcp,
      rowsPainted: t.bench.rowsPainted,
      domInteractive: t.domInteractive,
      dclEnd: t.dclEnd,
      usable: t.bench.usable,
      // Bytes on the wire (headers included) and compressed bodies: the document, the script and the style sheet.
      transfer: t.doc.transfer + assets.reduce((sum, entry) => sum + entry.transfer, 0),
      encoded: { html: t.doc.encoded, ...Object.fromEntries(assets.map((entry) => [entry.type === 'script' ? 'script' : 'style', entry.encoded])) },
      encoding: htmlResponse?.encoding ?? '?',
      assetUrls: assets.map((entry) => new URL(entry.url).pathname),
      pager: t.pager,
      // Main-thread time of the tab until it was usable, as Chromium counts it (DevTools' Performance.getMetrics).
      cpu: { task: msOf(metrics, 'TaskDuration'), script: msOf(metrics, 'ScriptDuration'), layout: msOf(metrics, 'LayoutDuration'), style: msOf(metrics, 'RecalcStyleDuration'), layouts: msOf(metrics, 'LayoutCount') / 1000 },
    };
    if (search === 'client') {
      // One key at a time, each once the previous one is painted: from the keydown to the frame painted after the
      // page's listener hid the rows.
      const input = page.locator('form.filters input[name="q"]');
      await input.focus();
      for (let i = 0; i < SEARCH.length; i++) {
        await page.keyboard.press(SEARCH[i]);
        await page.waitForFunction((n) => window.__bench.keys.length >= n, i + 1);
      }
      const keys = await page.evaluate(() => window.__bench.keys);
      const visible = await page.evaluate((selector) => [...document.querySelectorAll(selector)].filter((row) => !row.hidden).length, spec.rows);
      if (visible !== SEARCH_MATCHES) throw new Error(`the search left ${visible} rows, expected ${SEARCH_MATCHES}`);
      out.searchMs = max(keys.map((key) => key.painted - key.start));
    } else if (search === 'server') {
      // The whole word, then Enter: the form is submitted and the server answers with the matching rows.
      await page.locator('form.filters input[name="q"]').fill(SEARCH);
      const navigated = page.waitForURL((url) => url.searchParams.get('q') === SEARCH);
      await page.keyboard.press('Enter');
      await navigated;
      await page.waitForFunction(() => window.__bench?.usable !== undefined);
      const result = await page.evaluate(pageTimings, { rows: spec.rows });
      if (result.rowCount !== SEARCH_MATCHES) throw new Error(`the search found ${result.rowCount} rows, expected ${SEARCH_MATCHES}`);
      // Timed in the result page, from its navigation start (the form's submission) to usable.
      out.searchMs = result.bench.usable;
    }
    return out;
  } finally {
    await cdp.detach().catch(() => {});
    await page.close();
  }
}

/** Signs in through the form, as a person would: the session cookie stays in the context. */
async function signIn(browser, base, token) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/admin/login`);
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${base}/admin`, { timeout: 60_000 }), page.click('form button[type="submit"]')]);
  await page.close();
  const cookies = await context.cookies(base);
  const session = cookies.find((cookie) => cookie.name === 'vigil_session');
  if (!session) throw new Error('no session cookie after signing in');
  return { context, cookie: `${session.name}=${session.value}` };
}

/** What each encoding weighs, from Node: the page's HTML and its two assets. */
async function sizesOf(base, kind, cookie, assetUrls) {
  const out = {};
  for (const [name, url] of [['html', PAGES[kind].path], ['script', assetUrls.find((u) => u.endsWith('.js'))], ['style', assetUrls.find((u) => u.endsWith('.css'))]]) {
    const headers = name === 'html' ? { cookie } : {};
    const raw = await get(`${base}${url}`, headers);
    const gzip = await get(`${base}${url}`, { ...headers, 'accept-encoding': 'gzip' });
    const br = await get(`${base}${url}`, { ...headers, 'accept-encoding': 'br' });
    if (raw.status !== 200 || gzip.headers['content-encoding'] !== 'gzip' || br.headers['content-encoding'] !== 'br') throw new Error(`${url}: not compressed (${gzip.headers['content-encoding']}, ${br.headers['content-encoding']})`);
    out[name] = { raw: raw.body.length, gzip: gzip.body.length, br: br.body.length };
  }
  // The server's time for the HTML without a browser beside it: sequential requests from Node, request sent to
  // first byte of the answer.
  const times = [];
  for (let i = 0; i < SERVER_REQUESTS; i++) times.push((await get(`${base}${PAGES[kind].path}`, { cookie, 'accept-encoding': 'br' })).firstByteMs);
  out.serverMs = { median: median(times), max: max(times) };
  return out;
}

/**
 * The rounds of one installation: a server, one sign-in, then the dashboard and the status page loaded in turn
 * (alternating which goes first, so that drift in the machine's load hits both alike).
 */
async function measureInstallation(browser, { count, config, dir, token }) {
  const run = await serve(config, dir);
  log(`${count} monitors: vigil serve listening after ${f(run.startMs / 1000, 1)} s`);
  const out = { dashboard: [], status: [], bare: [], empty: [] };
  let context;
  try {
    const signedIn = await signIn(browser, run.url, token);
    context = signedIn.context;
    // The dashboard shows DASHBOARD_PAGE rows a page (the server filters beyond); the status page 1,000.
    const dashboardRows = Math.min(count, DASHBOARD_PAGE);
    const expectRows = Math.min(count, MONITORS);
    const search = count > DASHBOARD_PAGE ? 'server' : 'client';
    // One load of each, not counted: the status page is built at start; this warms the server's JIT and caches.
    await loadPage(context, run.url, 'dashboard', { expectRows: dashboardRows });
    await loadPage(context, run.url, 'status', { expectRows });
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ['dashboard', 'status', 'bare', 'empty'] : ['empty', 'bare', 'status', 'dashboard'];
      for (const kind of order) {
        const rows = kind === 'empty' ? 0 : kind === 'status' ? expectRows : dashboardRows;
        out[kind].push(await loadPage(context, run.url, kind, { expectRows: rows, ...(kind === 'dashboard' ? { search } : {}) }));
      }
      const [d, s] = [out.dashboard.at(-1), out.status.at(-1)];
      log(
        `${count} monitors, round ${round + 1} of ${ROUNDS}: dashboard usable ${f(d.usable)} ms (server ${f(d.serverMs)} ms, rows painted ${f(d.rowsPainted)} ms), ${kb(d.transfer)}, search ${f(d.searchMs)} ms; ` +
          `status page usable ${f(s.usable)} ms (server ${f(s.serverMs)} ms), ${kb(s.transfer)}`,
      );
    }
    out.sizes = {
      dashboard: await sizesOf(run.url, 'dashboard', signedIn.cookie, out.dashboard[0].assetUrls),
      status: await sizesOf(run.url, 'status', signedIn.cookie, out.status[0].assetUrls),
    };
    return out;
  } finally {
    await context?.close();
    await stop(run.child);
  }
}

// ------------------------------------------------------------------------------------------------ the run

if (!existsSync(CHROMIUM)) throw new Error(`this benchmark needs Chromium at ${CHROMIUM} (Debian package chromium)`);
const startedAt = Date.now();
const tmp = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-dashboard-'));
const target = spawn(process.execPath, [fileURLToPath(new URL('./monitor-target.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
let browser;
let chromiumVersion = '';
const results = {};
const loadAverages = [os.loadavg()[0]];
try {
  const targetPort = Number(String((await once(target.stdout, 'data'))[0]).trim());
  const now = Date.now();
  const small = path.join(tmp, `data-${MONITORS}`);
  await mkdir(small, { mode: 0o700 });
  const seedStarted = performance.now();
  const seeded = await seedStore(path.join(small, 'vigil.db'), { count: MONITORS, now, downIndex: DOWN_INDEX, oldSpacingH: OLD_SPACING_H, days: DAYS });
  log(`seeded ${MONITORS} monitors, ${DAYS} days: ${int(seeded.results)} results, ${seeded.incidents} incidents, ${f((performance.now() - seedStarted) / 1000)} s`);
  const token = createToken(small);
  // The large store is copied before the first server writes to the small one.
  const large = path.join(tmp, `data-${LARGE}`);
  if (LARGE > 0) {
    await mkdir(large, { mode: 0o700 });
    await copyDb(path.join(small, 'vigil.db'), path.join(large, 'vigil.db'));
  }
  const smallConfig = path.join(tmp, `vigil-${MONITORS}.yaml`);
  await writeFile(smallConfig, configYaml(MONITORS, targetPort));

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  chromiumVersion = browser.version();
  results.small = await measureInstallation(browser, { count: MONITORS, config: smallConfig, dir: small, token });

  if (LARGE > 0) {
    await addStates(path.join(large, 'vigil.db'), { from: MONITORS, to: LARGE, now });
    const largeConfig = path.join(tmp, `vigil-${LARGE}.yaml`);
    await writeFile(largeConfig, configYaml(LARGE, targetPort));
    results.large = await measureInstallation(browser, { count: LARGE, config: largeConfig, dir: large, token });
  }
  loadAverages.push(os.loadavg()[0]);
} finally {
  await browser?.close();
  await stop(target);
  await rm(tmp, { recursive: true, force: true });
}

// ------------------------------------------------------------------------------------------------ the report

const stats = (values) => {
  const known = values.filter((value) => value !== undefined && Number.isFinite(value));
  return known.length ? { median: median(known), max: max(known) } : undefined;
};
const summarize = (rounds) => {
  const out = {};
  for (const key of ['serverMs', 'responseEnd', 'fcp', 'rowsPainted', 'dclEnd', 'usable', 'transfer', 'searchMs']) out[key] = stats(rounds.map((round) => round[key]));
  out.download = stats(rounds.map((r) => r.responseEnd - r.responseStart));
  out.parse = stats(rounds.map((r) => r.domInteractive - r.responseEnd));
  out.deferred = stats(rounds.map((r) => r.dclEnd - r.domInteractive));
  out.toPaint = stats(rounds.map((r) => r.usable - r.dclEnd));
  for (const key of ['task', 'script', 'layout', 'style', 'layouts']) out[key] = stats(rounds.map((round) => round.cpu[key]));
  out.other = stats(rounds.map(({ cpu }) => cpu.task - cpu.script - cpu.layout - cpu.style));
  return out;
};
const ms = (n) => `${f(n)} ms`;
const cell = (s, key, fmt = ms) => (s?.[key] ? `${fmt(s[key].median)} (${fmt(s[key].max)})` : '—');
const ratio = (a, b, key) => (a?.[key] && b?.[key] ? f(a[key].median / b[key].median, 2) : '');

const sizes = [
  ['small', MONITORS, ''],
  ['large', LARGE, ', page 1'],
].filter(([size]) => results[size]);
const LABEL = { dashboard: ['dashboard `/admin`', ''], status: ['status page `/`', ' (baseline)'], bare: ['dashboard `/admin` without its script', ''], empty: ['dashboard `/admin?q=no-such-monitor`: no row', ''] };
const label = (kind, page) => `${LABEL[kind][0]}${kind === 'empty' ? '' : page}${LABEL[kind][1]}`;
const summary = (size, kind) => summarize(results[size][kind]);

console.log(
  `\nmedians (max) of ${ROUNDS} loads each, each in a fresh tab with the HTTP cache disabled (document, script and style sheet over the network every time); times from navigation start; Chromium ${chromiumVersion}; load average ${loadAverages.map((l) => f(l, 1)).join(' → ')}\n`,
);
console.log('| page | monitors | server: HTML (responseStart − requestStart) | HTML received (responseEnd) | first contentful paint | **usable**: rows painted after the script ran | search: key → rows hidden, painted (slowest key) | transferred: HTML + script + style |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [size, count, page] of sizes) {
  const [d, s] = [summary(size, 'dashboard'), summary(size, 'status')];
  const searchNote = count > DASHBOARD_PAGE ? ' (submitted: the server filters)' : '';
  for (const [name, x] of [[label('dashboard', page), d], [label('status', page), s]]) {
    console.log(`| ${name} | ${int(count)} | ${cell(x, 'serverMs', (n) => `${f(n, 1)} ms`)} | ${cell(x, 'responseEnd')} | ${cell(x, 'fcp')} | **${cell(x, 'usable')}** | ${x === d ? `${cell(x, 'searchMs')}${searchNote}` : '—'} | ${cell(x, 'transfer', kb)} |`);
  }
  console.log(`| **ratio dashboard / status page** | | ${ratio(d, s, 'serverMs')} | ${ratio(d, s, 'responseEnd')} | ${ratio(d, s, 'fcp')} | **${ratio(d, s, 'usable')}** | | ${ratio(d, s, 'transfer')} |`);
}

console.log(
  '\nwhere the time goes (medians, ms): navigation timing phases (the parser yields to style and layout as the table grows: "parse" includes them; the phases after it depend on which task Chromium runs first), then the main thread of the tab until usable as Chromium counts it (DevTools Performance.getMetrics)\n',
);
console.log(`| page | monitors | server (in the browser) | server, from Node: median (max) of ${SERVER_REQUESTS} sequential | HTML download | parse (responseEnd → domInteractive) | deferred script (→ DOMContentLoaded end) | → next frame painted | **usable** | main thread: all tasks | script | style | layout (passes) | other (parsing, paint…) |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [size, count, page] of sizes) {
  for (const kind of ['dashboard', 'bare', 'empty', 'status']) {
    const x = summary(size, kind);
    const node = results[size].sizes[kind]?.serverMs;
    const m = (key) => f(x[key].median);
    console.log(
      `| ${label(kind, page)} | ${int(count)} | ${f(x.serverMs.median, 1)} | ${node ? `${f(node.median, 1)} (${f(node.max, 1)})` : ''} | ${m('download')} | ${m('parse')} | ${m('deferred')} | ${m('toPaint')} | **${m('usable')}** | ${m('task')} | ${m('script')} | ${m('style')} | ${m('layout')} (${m('layouts')}) | ${m('other')} |`,
    );
  }
}

console.log('\nbytes (from Node, each encoding), and what Chromium got\n');
console.log('| page | monitors | resource | raw | gzip | brotli | Chromium got (encoded body) |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
for (const [size, count, page] of sizes) {
  for (const kind of ['dashboard', 'status']) {
    const bytes = results[size].sizes[kind];
    const first = results[size][kind][0];
    for (const resource of ['html', 'script', 'style']) {
      console.log(`| ${label(kind, page)} | ${int(count)} | ${resource} | ${kb(bytes[resource].raw)} | ${kb(bytes[resource].gzip)} | ${kb(bytes[resource].br)} | ${kb(first.encoded[resource])}${resource === 'html' ? ` (${first.encoding || 'identity'})` : ''} |`);
    }
  }
}

const dash = summary('small', 'dashboard');
const verdict = (s, limit) => (s.max <= limit ? 'met' : s.median <= limit ? 'met at the median, not in every round' : 'NOT met');
console.log(`\nagainst the budgets (${int(MONITORS)} monitors):`);
console.log(`- usable within ${BUDGET.usableMs} ms: ${verdict(dash.usable, BUDGET.usableMs)} (median ${ms(dash.usable.median)}, max ${ms(dash.usable.max)})`);
console.log(`- under ${BUDGET.kb} KB compressed: ${verdict(dash.transfer, BUDGET.kb * 1024)} (${kb(dash.transfer.max)} transferred, HTML ${results.small.dashboard[0].encoding || 'identity'})`);
if (results.large) {
  const page1 = summary('large', 'dashboard');
  console.log(`- ${int(LARGE)} monitors: pages (${results.large.dashboard[0].pager || 'one page!'}); page 1 usable in ${ms(page1.usable.median)} (max ${ms(page1.usable.max)}), ${kb(page1.transfer.median)}`);
}
console.error(`\n(${f((Date.now() - startedAt) / 1000)} s in all)`);
