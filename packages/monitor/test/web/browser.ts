/**
 * Shared by the browser tests: Debian's Chromium driven by playwright-core, axe-core for accessibility, screenshots.
 *
 * Playwright never downloads a browser here: the tests use /usr/bin/chromium from the Debian package `chromium`,
 * which `node scripts/test-prerequisites.mjs` (the first step of `npm test`) installs. A machine without it fails
 * the tests with a message that says so; nothing is skipped.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, no sandbox (the tests run as root), and none of Chromium's own traffic: without the background-networking
 * flags it keeps trying to reach Google's hosts, which this machine's closed network refuses.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** Starts Debian's Chromium; one per test file (in beforeAll), closed in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM} (Debian package chromium), which is not installed: ` +
        'run `node scripts/test-prerequisites.mjs` as root (it installs it with apt), ' +
        'or `apt-get install -y --no-install-recommends chromium fonts-dejavu-core`',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}

/** The WCAG 2.1 A and AA rules: what the pages are held to. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

/** One axe violation, small enough to read in a failed assertion. */
export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  /** One line per element: its CSS target, then axe's summary of what to fix. */
  nodes: string[];
}

export interface AxeOptions {
  /** What to check (a CSS selector, or axe's context object); the whole document by default. */
  context?: Axe.ElementContext;
  /** Rule ids to leave out, each with a reason at the call site. */
  disableRules?: string[];
  /** Instead of the WCAG 2.1 A/AA tags. */
  tags?: string[];
}

/** How long one axe run may take before runAxe gives up with an error. */
const AXE_TIMEOUT_MS = 20_000;

let axeSource: Promise<string> | undefined;

/** axe-core's minified source, read once from node_modules. */
function loadAxeSource(): Promise<string> {
  axeSource ??= (async () => {
    const main = createRequire(import.meta.url).resolve('axe-core');
    return readFile(path.join(path.dirname(main), 'axe.min.js'), 'utf8');
  })();
  return axeSource;
}

/**
 * Runs axe-core in the page and returns its violations (empty when the page passes).
 *
 * axe is evaluated through the DevTools protocol, not added as a <script>: the pages under test send
 * `Content-Security-Policy: script-src 'self'`, which blocks an inline script tag but not an evaluation by the
 * driver. In a context with `javaScriptEnabled: false` Chromium runs no timer nor `queueMicrotask` callback (only
 * plain promise reactions), and axe waits on `setTimeout(…, 0)` after every rule: there, for the length of the run
 * only, zero-delay timers and queueMicrotask become promise reactions (longer timers, axe's time limits, never fire,
 * as before) and iframes are not entered (their axe could not answer).
 */
export async function runAxe(page: Page, options: AxeOptions = {}): Promise<Violation[]> {
  const loaded = await page.evaluate('typeof globalThis.axe === "object" && typeof globalThis.axe.run === "function"');
  if (loaded !== true) await page.evaluate(await loadAxeSource());
  const runOptions: Axe.RunOptions = {
    runOnly: { type: 'tag', values: options.tags ?? [...WCAG_TAGS] },
    rules: Object.fromEntries((options.disableRules ?? []).map((id) => [id, { enabled: false }])),
    resultTypes: ['violations'],
  };
  const run = page.evaluate(
    async ({ context, runOptions }) => {
      type Timer = (callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => unknown;
      const win = globalThis as unknown as {
        axe: typeof Axe;
        setTimeout: Timer;
        queueMicrotask: (callback: () => void) => void;
        document: { createElement(tag: string): { innerHTML: string; firstElementChild: unknown } };
      };
      // With scripting off, the HTML parser reads <noscript> content as elements rather than text.
      let scriptingOff = false;
      try {
        const probe = win.document.createElement('noscript');
        probe.innerHTML = '<i></i>';
        scriptingOff = probe.firstElementChild !== null;
      } catch {
        // Trusted Types refuse innerHTML: such a page runs scripts, or it would not bother.
      }
      const { setTimeout, queueMicrotask } = win;
      if (scriptingOff) {
        const later = (callback: () => void) => void Promise.resolve().then(callback);
        win.setTimeout = (callback, delay, ...args) => {
          if (!delay) later(() => callback(...args));
          return 0;
        };
        win.queueMicrotask = later;
      }
      try {
        const run = scriptingOff ? { ...runOptions, iframes: false } : runOptions;
        const results = context === null ? await win.axe.run(run) : await win.axe.run(context, run);
        return results.violations.map((violation) => ({
          id: violation.id,
          impact: violation.impact ?? null,
          help: violation.help,
          nodes: violation.nodes.map(
            (node) => `${node.target.join(' ')}: ${(node.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`,
          ),
        }));
      } finally {
        Object.assign(win, { setTimeout, queueMicrotask });
      }
    },
    { context: options.context ?? null, runOptions },
  );
  // A run that cannot finish (a page that stops the event loop) fails here rather than at the test's timeout.
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    const message = `axe.run did not finish in ${AXE_TIMEOUT_MS / 1000} s on ${page.url()}`;
    timer = setTimeout(() => reject(new Error(message)), AXE_TIMEOUT_MS);
  });
  run.catch(() => {}); // after the limit, its rejection (the page closing) is nobody's
  try {
    return await Promise.race([run, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Saves a PNG of the whole page (folders made as needed, animations stopped) and returns its path. */
export async function saveScreenshot(page: Page, file: string, options: { fullPage?: boolean } = {}): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true, animations: 'disabled' });
  return file;
}
