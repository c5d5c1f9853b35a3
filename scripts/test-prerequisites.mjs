#!/usr/bin/env node
// First step of `npm test`: the programs the tests run (a private Redis or PostgreSQL to kill, promtool and amtool
// to lint the generated files, a real Prometheus and Alertmanager, curl, sqlite3 and jq for the docs' lines,
// openssl for test certificates, Debian's Chromium and a font for the browser tests) must be on this machine. Run as
// root on a Debian-like system, the missing ones are installed with apt; otherwise (or with VIGIL_TEST_NO_INSTALL=1)
// the tests do not start, and this says what is missing and the one command that installs it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** Where PostgreSQL's server programs are on Debian: /usr/lib/postgresql/<version>/bin. */
function postgresBin(program) {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return false;
  return readdirSync(root).some((version) => existsSync(`${root}/${version}/bin/${program}`));
}

function onPath(program) {
  return spawnSync('/bin/sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/** What the tests need: a program, how to find it, the Debian package that brings it, and what it is for. */
const NEEDED = [
  { program: 'redis-server', found: () => onPath('redis-server'), pkg: 'redis-server', why: 'private Redis for fault tests' },
  { program: 'initdb, pg_ctl', found: () => postgresBin('initdb') && postgresBin('pg_ctl'), pkg: 'postgresql', why: 'private PostgreSQL for fault tests' },
  { program: 'prometheus', found: () => onPath('prometheus'), pkg: 'prometheus', why: 'scrapes the monitor in the end-to-end test' },
  { program: 'promtool', found: () => onPath('promtool'), pkg: 'prometheus', why: 'checks and unit-tests the generated rules' },
  { program: 'prometheus-alertmanager', found: () => onPath('prometheus-alertmanager'), pkg: 'prometheus-alertmanager', why: 'receives alerts in the end-to-end test' },
  { program: 'amtool', found: () => onPath('amtool'), pkg: 'prometheus-alertmanager', why: 'checks the generated Alertmanager file' },
  { program: 'curl', found: () => onPath('curl'), pkg: 'curl', why: "runs the docs' ping lines" },
  { program: 'openssl', found: () => onPath('openssl'), pkg: 'openssl', why: 'makes test certificates' },
  { program: 'sqlite3', found: () => onPath('sqlite3'), pkg: 'sqlite3', why: "runs the storage docs' backup lines" },
  { program: 'jq', found: () => onPath('jq'), pkg: 'jq', why: "reads the job log in the jobs docs and tests" },
  { program: '/usr/bin/chromium', found: () => existsSync('/usr/bin/chromium'), pkg: 'chromium', why: 'headless browser for the web tests (Playwright never downloads one)' },
  { program: 'DejaVu fonts', found: () => existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'), pkg: 'fonts-dejavu-core', why: 'readable text in browser screenshots' },
];

const missing = NEEDED.filter((need) => !need.found());
if (missing.length === 0) process.exit(0);

const packages = [...new Set(missing.map((need) => need.pkg))];
const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
const list = missing.map((need) => `  ${need.program} (Debian package ${need.pkg}): ${need.why}`).join('\n');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

if (!isRoot || !onPath('apt-get') || process.env.VIGIL_TEST_NO_INSTALL === '1') {
  console.error(
    `[test] the tests need programs that are not installed:\n${list}\n\n` +
      `Install them, then run npm test again:\n  ${isRoot ? '' : 'sudo '}${command}\n` +
      (onPath('apt-get') ? '' : '(no apt-get here: install the same programs with your package manager)\n'),
  );
  process.exit(1);
}

console.error(`[test] installing what the tests need:\n${list}\n[test] ${command}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...packages]]) {
  const run = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (run.status !== 0) {
    console.error(`[test] apt-get ${args.join(' ')} failed (exit ${run.status ?? run.signal}): install the packages above by hand`);
    process.exit(1);
  }
}
const still = NEEDED.filter((need) => !need.found());
if (still.length > 0) {
  console.error(`[test] still missing after apt-get install: ${still.map((need) => need.program).join(', ')}`);
  process.exit(1);
}
console.error('[test] installed');
