/**
 * The browser test tools themselves: Debian's Chromium starts, axe-core runs under a strict Content-Security-Policy and
 * finds what it should, colour-scheme emulation and JavaScript-off contexts work, and screenshots are written.
 * Pages come from a tiny local server, so this checks the tools and no page of Vigil's.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, runAxe, saveScreenshot } from './browser.js';

/** As strict as Vigil's own pages: no inline script or style, nothing from elsewhere. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'";

const page = (title: string, body: string) =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/style.css">
<script src="/app.js" defer></script>
</head>
<body>
<main>
${body}
</main>
<script>document.title = 'inline script ran';</script>
</body>
</html>`;

const ROUTES: Record<string, { type: string; body: string }> = {
  '/good': {
    type: 'text/html; charset=utf-8',
    body: page(
      'Accessible',
      `<h1>Checks</h1>
<p>All checks are passing.</p>
<img src="/logo.svg" alt="Vigil" width="32" height="32">
<p id="status">Waiting for the script.</p>
<noscript><p id="no-script">JavaScript is off.</p></noscript>`,
    ),
  },
  '/bad': {
    type: 'text/html; charset=utf-8',
    body: page(
      'Violations',
      `<h1>Checks</h1>
<p class="faint">This text is too light to read.</p>
<img src="/logo.svg" width="32" height="32">`,
    ),
  },
  '/style.css': {
    type: 'text/css; charset=utf-8',
    body: `body { font-family: sans-serif; color: #111; background: #fff; }
.faint { color: #bbb; }
@media (prefers-color-scheme: dark) { body { color: #eee; background: #111; } }`,
  },
  '/app.js': {
    type: 'text/javascript; charset=utf-8',
    body: `document.documentElement.dataset.js = 'on';
const status = document.getElementById('status');
if (status) status.textContent = 'The script ran.';`,
  },
  '/logo.svg': {
    type: 'image/svg+xml',
    body: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="14" fill="#1a7f37"/></svg>',
  },
};

let server: Server;
let base: string;
let browser: Browser;
let tmp: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = ROUTES[new URL(req.url ?? '/', 'http://localhost').pathname];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': route.type, 'content-security-policy': CSP, 'cache-control': 'no-store' }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vigil-browser-'));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('browser test tools', () => {
  it('runs axe under a strict CSP: a clean page has no WCAG 2.1 A/AA violation', async () => {
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      const response = await tab.goto(`${base}/good`);
      expect(response?.headers()['content-security-policy']).toBe(CSP);
      // The CSP is in force: the script from 'self' ran, the inline one did not, and a <script> added by the driver
      // is refused too (which is why runAxe evaluates axe instead).
      await expect.poll(() => tab.textContent('#status')).toBe('The script ran.');
      expect(await tab.title()).toBe('Accessible');
      await expect(tab.addScriptTag({ content: 'globalThis.added = true;' })).rejects.toThrow(/Content Security Policy/);
      expect(await runAxe(tab)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('finds a missing alt text and low contrast', async () => {
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      await tab.goto(`${base}/bad`);
      expect(await tab.title()).toBe('Violations');
      const violations = await runAxe(tab);
      expect(violations.map((violation) => violation.id).sort()).toEqual(['color-contrast', 'image-alt']);
      const contrast = violations.find((violation) => violation.id === 'color-contrast');
      expect(contrast?.impact).toBe('serious');
      expect(contrast?.nodes).toEqual([expect.stringMatching(/^p: .*insufficient color contrast of 1\.\d+ \(foreground color: #bbbbbb/)]);
      expect(violations.find((violation) => violation.id === 'image-alt')?.nodes).toEqual([expect.stringMatching(/^img: /)]);
      // A second run in the same page reuses the axe already there; a rule can be left out.
      expect((await runAxe(tab, { disableRules: ['color-contrast'] })).map((violation) => violation.id)).toEqual(['image-alt']);
    } finally {
      await context.close();
    }
  });

  it('emulates the dark colour scheme', async () => {
    for (const colorScheme of ['dark', 'light'] as const) {
      const context = await browser.newContext({ colorScheme });
      try {
        const tab = await context.newPage();
        await tab.goto(`${base}/good`);
        expect(await tab.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")).toBe(colorScheme === 'dark');
        expect(await tab.evaluate('getComputedStyle(document.body).backgroundColor')).toBe(
          colorScheme === 'dark' ? 'rgb(17, 17, 17)' : 'rgb(255, 255, 255)',
        );
      } finally {
        await context.close();
      }
    }
  });

  it('works in a context with JavaScript off, axe included', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const tab = await context.newPage();
      await tab.goto(`${base}/good`);
      expect(await tab.getAttribute('html', 'data-js')).toBeNull();
      expect(await tab.textContent('#status')).toBe('Waiting for the script.');
      // Chromium shows <noscript> content; Playwright's text selectors skip <noscript>, so find it by id.
      expect(await tab.locator('#no-script').isVisible()).toBe(true);
      expect(await runAxe(tab)).toEqual([]);
      // …and axe still finds what is wrong, with no timer running in the page; the page's timers are put back.
      await tab.goto(`${base}/bad`);
      expect((await runAxe(tab)).map((violation) => violation.id).sort()).toEqual(['color-contrast', 'image-alt']);
      expect(await tab.evaluate('setTimeout.toString().includes("[native code]")')).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('saves a screenshot', async () => {
    const context = await browser.newContext({ viewport: { width: 640, height: 400 } });
    try {
      const tab = await context.newPage();
      await tab.goto(`${base}/good`);
      const file = await saveScreenshot(tab, path.join(tmp, 'shots', 'good.png'));
      const png = await readFile(file);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.readUInt32BE(16)).toBe(640); // IHDR width
      expect(png.length).toBeGreaterThan(1000);
    } finally {
      await context.close();
    }
  });
});
