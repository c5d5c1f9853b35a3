/**
 * The shell commands of README.md and docs/*.md work as pasted. Every ```sh block is either run here or listed in
 * NOT_RUN with the reason it cannot run here; a block that is neither fails the first test, and so does an entry
 * of NOT_RUN that no longer matches a block (or matches one that also runs).
 *
 * How a block runs: its commands (a command may go on over several lines: `\` continuations, multi-line quotes)
 * are fed one at a time to one `sh` per page and folder, so `export`ed tokens and shell variables carry from one
 * command and one block of a page to the next, from the repository root unless the page says otherwise (the
 * generated stack folder, the folder of a log), with node_modules/.bin on the PATH so `npx vigil` is the
 * repository's own build. VIGIL_DATA points to a temporary folder, so nothing is written into the repository.
 *
 * What they run against: servers this file starts on free ports, never the fixed ones a developer may be using —
 * `vigil serve --config examples/vigil.yaml` (the built CLI, as `npm start` runs it) and the demo app it watches
 * (PORT), a private redis-server, the shop (the built launcher, in a schema and a key prefix of its own), and each
 * page's own example app (its ```ts quick start, transpiled). The fixed addresses in the commands (3939, 8080,
 * 8000, 8001, 6379) are rewritten to theirs, and files the reader brings (doctor.yaml) or writes (the stack
 * folder) point into the temporary folder. Each command must exit as the page says (0 unless it shows a failure),
 * and what the page promises about the output is checked: JSON that parses, the lines of its output blocks.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unusedPort } from '../../packages/core/test/support/net.js';
import { POSTGRES_URL } from '../services.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(REPO, 'packages/monitor/dist/cli.js');
const BIN = path.join(REPO, 'node_modules/.bin');
const DOC_FILES = [
  'README.md',
  ...readdirSync(path.join(REPO, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

const BENCH = 'a benchmark: rebuilds (npm run build), then keeps every core busy for seconds to minutes, beyond this file';

/** Blocks that do not run here, each with the reason. Keep it short: anything that can run on this machine runs. */
const NOT_RUN: { file: string; match: string; reason: string }[] = [
  {
    file: 'docs/alerting.md',
    match: 'npx vigil notify test ops-hook',
    reason: "sends to the example's receiver (https://hooks.example.com) with your own vigil.yaml; packages/monitor/test/notify/notify-command.test.ts runs the command against a local receiver",
  },
  {
    file: 'docs/alerting.md',
    match: 'npx vigil incident ack 41',
    reason: 'needs an open incident on a server whose channels alert; packages/monitor/test/notify/acknowledge.test.ts runs the command and the API call against one',
  },
  {
    file: 'docs/alerting.md',
    match: '/api/v1/notifications?limit=20',
    reason: 'needs a server whose channels alert; packages/monitor/test/notify/delivery.test.ts reads /api/v1/notifications of one',
  },
  {
    file: 'docs/alerting.md',
    match: 'http://127.0.0.1:3939/api/v1/maintenance \\',
    reason:
      "puts a monitor of the example server this file shares between pages in maintenance (its checks say what other pages show), and needs a write token this page's shell does not have; packages/monitor/test/api/maintenance.test.ts makes these calls against a server of its own",
  },
  {
    file: 'docs/api.md',
    match: '/api/v1/channels/ops-slack/test',
    reason: "examples/vigil.yaml has no notification channels, and a test message needs a receiver; packages/monitor/test/api/channels.test.ts lists channels and sends to local receivers",
  },
  {
    file: 'README.md',
    match: 'npm ci && npm start',
    reason:
      'installs packages (npm ci), then starts the monitor and the demo app on the fixed ports 3939 and 8080; ' +
      'this file starts the same two (vigil serve --config examples/vigil.yaml, examples/demo) on free ports',
  },
  { file: 'README.md', match: 'npm ci && npm test', reason: 'installs packages, then runs the whole test suite, this file included' },
  {
    file: 'docs/serve.md',
    match: 'npm ci && npm start',
    reason:
      'installs packages and starts long-running servers on fixed ports (npm start: 3939, 8080; vigil serve --config ' +
      'vigil.yaml: your own file); this file starts vigil serve --config examples/vigil.yaml itself, on a free port',
  },
  {
    file: 'docs/heartbeats.md',
    match: 'https://vigil.example.com/ping/',
    reason: 'needs https://vigil.example.com: packages/monitor/test/heartbeat/ping-http.test.ts runs every line against its own server',
  },
  {
    file: 'docs/monitoring-stack.md',
    match: 'npm run build && npx vigil stack --out monitoring --force',
    reason:
      'rebuilds the repository and rewrites the committed monitoring/ folder; ' +
      'packages/monitor/test/stack-committed.test.ts checks that the folder is this output',
  },
  {
    file: 'docs/shop.md',
    match: 'npm run shop            # builds',
    reason:
      'installs packages (npm ci); npm run shop rebuilds, then runs the shop on the fixed ports 8000 and 8001: this ' +
      'file starts the built launcher (node examples/shop/dist/start.js) on free ports, in a schema of its own',
  },
  {
    file: 'docs/shop.md',
    match: 'SHOP_PORT=8100',
    reason:
      'a second long-running shop on the fixed ports 8100 and 8101, after a rebuild; the shop of this file is ' +
      'started with these same four variables, set to values of its own',
  },
  {
    file: 'docs/shop.md',
    match: 'npx vitest run examples/shop',
    reason: 'rebuilds, then runs another test suite (examples/shop/test), which the same vitest run runs',
  },
  {
    file: 'docs/agents.md',
    match: 'npx vigil token create --name agent-us-east',
    reason:
      "the two-region example's own vigil.yaml, on its server; the page's next blocks make an agent token for examples/vigil.yaml and run an agent against the example server",
  },
  {
    file: 'docs/agents.md',
    match: 'https://vigil.example.com --location us-east',
    reason:
      'runs on a machine in another region against https://vigil.example.com; the page runs the same command against the example server, and packages/monitor/test/agent/agent.test.ts runs agents against a server of its own (cut off, killed, restarted)',
  },
  { file: 'docs/benchmarks.md', match: 'npm run bench:health ', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'npm run bench:metrics', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'npm run bench:jobs ', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'npm run bench:monitor      #', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'BENCH_COALESCE=0,100,200 npm run bench:monitor', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'npm run bench:config-load', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'npm run bench:status-page', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'npm run bench:dashboard', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'npm run bench:scale', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'npm run bench:http-client', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'BENCH_COALESCE=0,100,200 BENCH_NODE_FLAGS=', reason: BENCH },
  { file: 'docs/benchmarks.md', match: "BENCH_NODE_FLAGS='; --max-semi-space-size=2", reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'BENCH_SIZES=1000,10000 BENCH_COALESCE=100 npm run bench:monitor', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'BENCH_SIZES=100000 BENCH_INTERVAL_S=60 BENCH_MODES=fresh BENCH_COALESCE=100 npm', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'BENCH_SIZES=100000 BENCH_INTERVAL_S=60 BENCH_MODES=fresh BENCH_COALESCE=100 BENCH_NODE_FLAGS', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'BENCH_SIZES=10000 BENCH_MODES=kept', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'bash bench/monitor-profile.sh 10000 --max', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'PROF=1 bash bench/monitor-profile.sh', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'bash bench/monitor-timeline.sh 100000', reason: BENCH },
  { file: 'docs/benchmarks.md', match: 'vigil-idle.yaml', reason: 'a measurement: a minute of vigil serve in the background, read from /proc' },
  {
    file: 'docs/scaling.md',
    match: 'npx vigil serve --config vigil.yaml',
    reason: 'three machines sharing a PostgreSQL (the example names db.internal); packages/monitor/test/cluster/instances.test.ts runs three instances on one schema here',
  },
];

/** Programs the blocks run, with the Debian package that has them. */
const TOOLS: Record<string, string> = {
  curl: 'curl',
  jq: 'jq',
  sqlite3: 'sqlite3',
  openssl: 'openssl',
  promtool: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'redis-server': 'redis-server',
  awk: 'mawk',
  grep: 'grep',
};

// ---------------------------------------------------------------------------------------------------------------
// The blocks

interface DocCommand {
  /** As written: several lines when it continues (`\`, a quote left open). */
  text: string;
  line: number;
  /** The comment lines right after it: `# {"id":4,…}` is the output the page shows. */
  comments: string[];
}

interface DocBlock {
  file: string;
  /** Line of the opening fence. */
  line: number;
  text: string;
  commands: DocCommand[];
}

/** Whether `text` is an unfinished command: a quote still open, or a `\` at the very end. */
function unfinished(text: string): boolean {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = '';
      continue;
    }
    if (c === '\\') {
      if (i === text.length - 1) return true;
      i++;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = '';
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const end = text.indexOf('\n', i);
      if (end === -1) break;
      i = end;
    }
  }
  return quote !== '';
}

function splitCommands(file: string, text: string, fence: number): DocCommand[] {
  const commands: DocCommand[] = [];
  let current: DocCommand | undefined;
  let afterCommand = false;
  text.split('\n').forEach((raw, index) => {
    if (current === undefined) {
      const trimmed = raw.trim();
      if (trimmed === '') {
        afterCommand = false;
        return;
      }
      if (trimmed.startsWith('#')) {
        if (afterCommand) commands.at(-1)?.comments.push(trimmed.replace(/^#\s?/, ''));
        return;
      }
      current = { text: raw, line: fence + 1 + index, comments: [] };
    } else {
      current.text += `\n${raw}`;
    }
    if (!unfinished(current.text)) {
      commands.push(current);
      current = undefined;
      afterCommand = true;
    }
  });
  if (current) throw new Error(`${file}:${current.line}: a command that never ends (a quote left open?)`);
  return commands;
}

function fenced(file: string, language: string): { line: number; text: string }[] {
  const markdown = readFileSync(path.join(REPO, file), 'utf8');
  const blocks: { line: number; text: string }[] = [];
  for (const match of markdown.matchAll(/^```(\S*)\n([\s\S]*?)^```$/gm)) {
    if (match[1] !== language) continue;
    blocks.push({ line: markdown.slice(0, match.index).split('\n').length, text: match[2] ?? '' });
  }
  return blocks;
}

const BLOCKS: DocBlock[] = DOC_FILES.flatMap((file) =>
  fenced(file, 'sh').map(({ line, text }) => ({ file, line, text, commands: splitCommands(file, text, line) })),
);

type Matcher = string | RegExp;
const matches = (block: DocBlock, matcher: Matcher) =>
  typeof matcher === 'string' ? block.text.includes(matcher) : matcher.test(block.text);

function blockOf(file: string, matcher: Matcher): DocBlock {
  const found = BLOCKS.filter((block) => block.file === file && matches(block, matcher));
  if (found.length !== 1) {
    throw new Error(`${file}: ${found.length} sh blocks match ${String(matcher)} (expected exactly one): update this test`);
  }
  return found[0] as DocBlock;
}

/** A block of another language (```text, ```ts, ```yaml) of a page, by a piece of its text. */
function otherBlock(file: string, language: string, marker: string): string {
  const found = fenced(file, language).filter((block) => block.text.includes(marker));
  if (found.length !== 1) throw new Error(`${file}: ${found.length} \`\`\`${language} blocks contain ${marker}`);
  return (found[0] as { text: string }).text;
}

/** The ``` block (no language) of a page that contains `marker`. */
const plainBlock = (file: string, marker: string) => otherBlock(file, '', marker);

// ---------------------------------------------------------------------------------------------------------------
// Processes

interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  stderr(): string;
  /** Exit code, or the signal's name. */
  exited: Promise<number | string>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

const running = new Set<Proc>();

/** Starts a process in a process group of its own, so that a Ctrl-C (SIGINT to the group) reaches all of it. */
function launch(name: string, command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Proc {
  const child = spawn(command, args, { cwd: options.cwd ?? REPO, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('error', (error) => {
      output += `\n${error.message}`;
      resolve(`error: ${error.message}`);
    });
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  const proc: Proc = {
    name,
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    async waitFor(pattern, timeoutMs = 20_000) {
      let gone = false;
      void exited.then(() => (gone = true));
      const giveUp = Date.now() + timeoutMs;
      for (;;) {
        const match = output.match(pattern);
        if (match) return match;
        if (gone) throw new Error(`${name} exited (${await exited}) before printing ${pattern}:\n${output}`);
        if (Date.now() > giveUp) throw new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${output}`);
        await sleep(25);
      }
    },
  };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return proc;
}

function signalGroup(proc: Proc, signal: NodeJS.Signals): void {
  if (proc.child.pid === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  try {
    process.kill(-proc.child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops a process group: `signal`, then SIGKILL after `graceMs`. Resolves with how it ended. */
async function stop(proc: Proc, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<number | string> {
  signalGroup(proc, signal);
  const timer = setTimeout(() => signalGroup(proc, 'SIGKILL'), graceMs);
  const how = await proc.exited;
  clearTimeout(timer);
  return how;
}

/** Polls `url` until it answers (any status). */
async function waitForHttp(url: string, proc: Proc, timeoutMs = 20_000): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${proc.name} exited (${await proc.exited}):\n${proc.output()}`);
    }
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > giveUp) throw new Error(`${url} did not answer within ${timeoutMs} ms; ${proc.name}:\n${proc.output()}`);
      await sleep(50);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// One shell per page and folder

interface Result {
  command: string;
  code: number | string;
  stdout: string;
  stderr: string;
}

class Shell {
  private buffer = '';
  private count = 0;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private errors = '';

  constructor(
    private readonly cwd: string,
    env: NodeJS.ProcessEnv,
    private readonly dir: string,
  ) {
    this.child = spawn('sh', [], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.buffer += chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.errors += chunk));
    this.exited = new Promise((resolve) => this.child.on('exit', () => resolve()));
  }

  /** Runs one command in this shell (its variables stay for the next), its stdin empty, its output captured. */
  async run(command: string, timeoutMs = 60_000): Promise<Result> {
    const n = ++this.count;
    const out = path.join(this.dir, `${n}.out`);
    const err = path.join(this.dir, `${n}.err`);
    const marker = `__vigil_done_${n}__`;
    // The newline before `}` ends a trailing comment of the command.
    this.child.stdin?.write(`{ ${command}\n} >'${out}' 2>'${err}' </dev/null\nprintf '\\n${marker} %s\\n' "$?"\n`);
    const pattern = new RegExp(`${marker} (\\d+)\\n`);
    const giveUp = Date.now() + timeoutMs;
    let gone = false;
    void this.exited.then(() => (gone = true));
    for (;;) {
      const match = this.buffer.match(pattern);
      if (match) {
        this.buffer = this.buffer.slice((match.index ?? 0) + match[0].length);
        const [stdout, stderr] = await Promise.all([readFile(out, 'utf8'), readFile(err, 'utf8')]);
        return { command, code: Number(match[1]), stdout, stderr };
      }
      if (gone) throw new Error(`the shell in ${this.cwd} ended while running:\n${command}\n${this.errors}`);
      if (Date.now() > giveUp) {
        this.close();
        throw new Error(`still running after ${timeoutMs} ms:\n${command}`);
      }
      await sleep(10);
    }
  }

  /** The shell's exported variables (for a command started in the background). */
  async exported(): Promise<NodeJS.ProcessEnv> {
    const { stdout } = await this.run('env -0');
    return Object.fromEntries(
      stdout
        .split('\0')
        .filter((entry) => entry.includes('='))
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
  }

  close(): void {
    this.child.stdin?.end();
    this.child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What the pages run against

const ctx = {
  tmp: '',
  /** VIGIL_DATA of every command and of the monitor: <tmp>/data. */
  data: '',
  redisPort: 0,
  redisUrl: '',
  /** Where commands for redis://127.0.0.1:6390 (refused on purpose) go: a port nothing listens on. */
  refusedPort: 0,
  monitor: '',
  demo: '',
  demoPort: 0,
  env: {} as NodeJS.ProcessEnv,
};

/** Rewrites of every page: the fixed addresses of the docs to the servers of this file. */
function commonRewrites(): [string, string][] {
  return [
    ['127.0.0.1:3939', ctx.monitor],
    ['127.0.0.1:8080', ctx.demo],
    ['redis://127.0.0.1:6379', ctx.redisUrl],
    ["host: '127.0.0.1', port: 6379", `host: '127.0.0.1', port: ${ctx.redisPort}`],
    ['postgres://postgres@127.0.0.1:5432/test', POSTGRES_URL],
  ];
}

function localize(text: string, rewrites: [string, string][]): string {
  let local = text;
  for (const [from, to] of rewrites) local = local.replaceAll(from, to);
  return local;
}

/** Output with this file's addresses put back as the page writes them. */
function asOnPage(text: string): string {
  const address = (url: string) => new RegExp(`${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\d)`, 'g');
  return text
    .replace(address(ctx.redisUrl), 'redis://127.0.0.1:6379')
    .replace(address(`redis://127.0.0.1:${ctx.refusedPort}`), 'redis://127.0.0.1:6390')
    .replaceAll(POSTGRES_URL, 'postgres://postgres@127.0.0.1:5432/test');
}

/** A page's ```ts example as JavaScript (an ES module). */
function exampleApp(file: string, marker: string, rewrites: [string, string][]): string {
  const code = localize(otherBlock(file, 'ts', marker), [...commonRewrites(), ...rewrites]);
  return ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  }).outputText;
}

/**
 * Runs a page's example as a file in <tmp>/examples, whose node_modules is a link to the repository's: it imports
 * @vigil/health and bullmq as an app of the repository would. (Not `node -e`: a worker thread inherits
 * `--input-type=module` and the sidecar's thread code is not a module.)
 */
async function startExample(name: string, js: string, env: NodeJS.ProcessEnv = {}): Promise<Proc> {
  const file = path.join(ctx.tmp, 'examples', `${name.replace(/\W+/g, '-')}.mjs`);
  await writeFile(file, js);
  return launch(name, process.execPath, [file], { env: { ...ctx.env, ...env } });
}

// ---------------------------------------------------------------------------------------------------------------
// Pages: the blocks of each, in the order they run, with what each command must do

/** Assertions on a command's result; `shell` is the shell it ran in (to read a variable it set). */
type Check = (result: Result, label: string, shell: Shell) => void | Promise<void>;

interface Expect {
  /** Exit status (default 0). */
  code?: number;
  check?: Check;
  /** An idempotent read the page shows after something asynchronous (a job done): run again until true. */
  until?: (result: Result) => boolean;
  /** A command that runs until Ctrl-C: started in the background (with the shell's variables), then this. */
  background?: (proc: Proc, label: string) => Promise<void>;
}

interface BlockStep {
  block: Matcher;
  /** The folder it runs in, when the page says it is not the repository root. */
  cwd?: () => string;
  expect: Expect[];
}

interface ActionStep {
  action: string;
  run: () => Promise<void>;
}

interface Page {
  file: string;
  steps: (BlockStep | ActionStep)[];
  rewrites?: () => [string, string][];
  env?: () => NodeJS.ProcessEnv;
}

const ok: Expect = {};
const exits = (code: number, check?: Check): Expect => ({ code, ...(check ? { check } : {}) });

function json(result: Result, label: string): any {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`${label}: not JSON:\n${result.stdout}\n${result.stderr}`);
  }
}

const jsonCheck =
  (check: (body: any, result: Result) => void): Check =>
  (result, label) =>
    check(json(result, label), result);

const outputHas =
  (...pieces: (string | RegExp)[]): Check =>
  (result, label) => {
    for (const piece of pieces) {
      if (typeof piece === 'string') expect(result.stdout, label).toContain(piece);
      else expect(result.stdout, label).toMatch(piece);
    }
  };

/** The output a page shows in a comment after the command (`# {"id":4,…}`), `…` standing for anything. */
function shownInComment(command: DocCommand): RegExp {
  const shown = command.comments.map((line) => line.trim()).join('');
  if (!/^[[{]/.test(shown)) throw new Error(`no output shown after: ${command.text}`);
  const pattern = shown
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`, 's');
}

const asShownInComment =
  (file: string, marker: string): Check =>
  (result, label) => {
    const command = commandOf(file, marker);
    expect(result.stdout.trim(), label).toMatch(shownInComment(command));
  };

/** The command of a page that is `marker`, or else the one that contains it. */
function commandOf(file: string, marker: string): DocCommand {
  const commands = BLOCKS.filter((block) => block.file === file).flatMap((block) => block.commands);
  const exact = commands.filter((c) => c.text === marker);
  const found = exact.length > 0 ? exact : commands.filter((c) => c.text.includes(marker));
  if (found.length !== 1) throw new Error(`${file}: ${found.length} commands contain ${marker}`);
  return found[0] as DocCommand;
}

const all =
  (...checks: Check[]): Check =>
  async (result, label, shell) => {
    for (const check of checks) await check(result, label, shell);
  };

const TOKEN = /^vgl_[A-Za-z0-9_-]{43}$/;
const EXAMPLE_MONITORS = ['demo-app', 'demo-liveness', 'postgresql-port', 'postgresql', 'mariadb', 'redis', 'rabbitmq', 'nightly-backup'];

/** `vigil doctor`'s report as the page shows it: this file's Redis addresses back to the page's, times left out. */
const doctorText = (text: string) => asOnPage(text).replace(/oldest waited [\d.]+m?s/g, 'oldest waited …');
const doctorShows =
  (marker: string): Check =>
  (result, label) =>
    expect(doctorText(result.stdout), label).toBe(doctorText(otherBlock('docs/doctor.md', 'text', marker)));

/** A ```text block of the doc whose first line is the header of a table: the command prints the same header. */
const sameHeader =
  (file: string, marker: string): Check =>
  (result, label) => {
    const header = otherBlock(file, 'text', marker).split('\n')[0]?.split(/\s{2,}/) ?? [];
    expect(result.stdout.split('\n')[0]?.trim().split(/\s{2,}/), label).toEqual(header);
  };

let doctorWorker: Proc | undefined;
let jobsWorker: Proc | undefined;
let healthApp: Proc | undefined;
let metricsApp: Proc | undefined;
let sidecarWorker: Proc | undefined;
let shop: Proc | undefined;
const apps = { health: '', metrics: '', jobsHealth: '', sidecar: '', shopApi: '', shopWorker: '' };
const shopNames = { schema: '', prefix: '' };
const HEALTH_TOKEN = `health-${process.pid}-token`;

const PAGES: Page[] = [
  {
    file: 'README.md',
    steps: [
      {
        block: 'api/v1/monitors/demo-app/uptime',
        expect: [
          {
            check: jsonCheck((body) => {
              expect(body.monitors.map((m: { id: string }) => m.id).sort()).toEqual([...EXAMPLE_MONITORS].sort());
            }),
          },
          {
            check: jsonCheck((body) => {
              expect(body.monitor).toBe('demo-app');
              expect(body.results.length).toBeLessThanOrEqual(5);
            }),
          },
          { check: jsonCheck((body) => expect(Object.keys(body)).toEqual(['1h', '24h', '7d', '30d', '90d'])) },
          { check: (r, label) => expect(r.stdout, label).toBe('OK') },
          // The ping just before is a result: the heartbeat has its vigil_probe_success.
          { check: outputHas('vigil_probe_success{monitor="nightly-backup",type="heartbeat"} 1', 'vigil_monitor_status{monitor="demo-app"') },
          // Healthy, or degraded when the machine is slow: both answer 200.
          { check: outputHas(/^status {7}[✓!] (healthy|degraded)$/m, '  ✓ [STATUS] == 200') },
          { check: outputHas(/^HTTP\/1\.1 200 OK\r$/m, /"checks":\{"database":\{"status":"(healthy|degraded)"/) },
          { check: jsonCheck((body) => expect(body).toMatchObject({ status: expect.stringMatching(/^(pass|warn)$/), serviceId: 'vigil-demo' })) },
          { check: outputHas('[+]database ok', 'readyz check passed') },
        ],
      },
    ],
  },
  {
    file: 'docs/api.md',
    steps: [
      {
        block: 'export VIGIL_TOKEN=$(npx vigil token create --name ops --scope write',
        expect: [
          {
            check: async (r, label, shell) => {
              expect(r.stderr, label).toContain(`vigil: database: SQLite ${path.join(ctx.data, 'vigil.db')}\n`);
              expect(r.stderr, label).toMatch(/vigil: created API token "ops" \(tok_[0-9a-f]+, scope write\)/);
              expect((await shell.run('printf %s "$VIGIL_TOKEN"')).stdout, label).toMatch(TOKEN);
            },
          },
        ],
      },
      {
        block: /^npx vigil token list --config examples\/vigil\.yaml +#/,
        expect: [
          {
            check: outputHas(/^ID +NAME +SCOPE +CREATED +LAST USED$/m, /^tok_[0-9a-f]+ +ops +write +\d{4}-\d\d-\d\dT[\d:]+Z +-$/m),
          },
        ],
      },
      {
        block: 'old-script',
        expect: [ok, ok, { check: outputHas(/^vigil: revoked API token tok_[0-9a-f]+ \("old-script"\)$/m) }],
      },
      {
        block: /^curl -s -H "Authorization: Bearer \$VIGIL_TOKEN" http:\/\/127\.0\.0\.1:3939\/api\/v1\/monitors$/m,
        expect: [
          {
            // A token holder sees where each monitor comes from and what it checks.
            check: jsonCheck((body) => {
              expect(body.monitors).toHaveLength(EXAMPLE_MONITORS.length);
              for (const monitor of body.monitors) expect(monitor).toMatchObject({ source: 'config', target: expect.any(String) });
            }),
          },
        ],
      },
      {
        block: 'export VIGIL_ADMIN_TOKEN',
        expect: [
          ok,
          {
            // Creating and revoking tokens with `vigil token` is in the log, newest first: auditor, old-script twice, ops.
            check: jsonCheck((body) => {
              const entries = body.entries as { action: string; subject: string }[];
              expect(entries.map((e) => e.action)).toEqual(['token.create', 'token.revoke', 'token.create', 'token.create']);
              expect(entries[1]?.subject).toMatch(/^tok_[0-9a-f]+$/);
              expect(entries[2]?.subject).toBe(entries[1]?.subject);
            }),
          },
          { check: jsonCheck((body) => expect(body).toEqual({ entries: [], next: null })) },
        ],
      },
      {
        block: '"name":"grafana","scope":"read"',
        expect: [
          {
            check: all(asShownInComment('docs/api.md', '"name":"grafana","scope":"read"'), jsonCheck((body) => expect(body.token).toMatch(TOKEN))),
          },
          {
            // The secret is never listed again.
            check: jsonCheck((body) => {
              expect(body.tokens.map((t: { name: string }) => t.name)).toContain('grafana');
              for (const token of body.tokens) expect(Object.keys(token).sort()).toEqual(['created_at', 'id', 'last_used_at', 'name', 'scope']);
            }),
          },
          ok,
          { check: (r, label) => expect(r.stdout, label).toBe('204\n') },
        ],
      },
      {
        block: '/api/v1/monitors?state=unhealthy,degraded',
        expect: [
          {
            check: jsonCheck((body) => {
              expect(body.monitors).toHaveLength(EXAMPLE_MONITORS.length);
              // Anonymous: no source, target or definition.
              for (const monitor of body.monitors) expect(monitor).not.toHaveProperty('source');
            }),
          },
          {
            check: jsonCheck((body) =>
              expect(body.monitors.map((m: { id: string }) => m.id).sort()).toEqual(['mariadb', 'postgresql', 'postgresql-port', 'rabbitmq', 'redis']),
            ),
          },
          { check: jsonCheck((body) => expect(Array.isArray(body.monitors)).toBe(true)) },
        ],
      },
      {
        block: 'Bearer $VIGIL_TOKEN" http://127.0.0.1:3939/api/v1/monitors/demo-app\n',
        expect: [{ check: jsonCheck((body) => expect(body).toMatchObject({ id: 'demo-app', definition: { type: 'health' } })) }],
      },
      {
        block: 'curl -s -X POST http://127.0.0.1:3939/api/v1/monitors \\',
        expect: [{ check: jsonCheck((body) => expect(body).toMatchObject({ id: 'checkout', source: 'api', tags: ['shop'], interval_ms: 30_000 })) }],
      },
      {
        block: 'curl -s -X PUT',
        expect: [{ check: jsonCheck((body) => expect(body).toMatchObject({ id: 'checkout', interval_ms: 60_000, public: false })) }],
      },
      { block: 'curl -s -X DELETE', expect: [{ check: (r, label) => expect(r.stdout, label).toBe('') }] },
      {
        block: '/api/v1/monitors/demo-app/pause',
        expect: [
          { check: jsonCheck((body) => expect(body).toMatchObject({ id: 'demo-app', paused: true, state: 'paused' })) },
          { check: jsonCheck((body) => expect(body).toMatchObject({ id: 'demo-app', paused: false })) },
        ],
      },
      { block: '/api/v1/monitors/demo-app/check', expect: [{ check: asShownInComment('docs/api.md', '/api/v1/monitors/demo-app/check') }] },
      {
        block: 'api/v1/signals?monitor=demo-app',
        expect: [
          { check: jsonCheck((body) => expect(body).toMatchObject({ monitor: 'demo-app', results: expect.any(Array) })) },
          { check: jsonCheck((body) => expect(body).toMatchObject({ monitor: 'demo-app', results: expect.any(Array) })) },
        ],
      },
      {
        block: '/api/v1/monitors/nightly-backup/pings?limit=20',
        expect: [
          {
            // The example's heartbeat: its ping log (what other pages pinged it with, if they ran first), newest first.
            check: jsonCheck((body) => {
              expect(body).toMatchObject({ monitor: 'nightly-backup', pings: expect.any(Array) });
              for (const ping of body.pings) expect(ping).toMatchObject({ id: expect.any(Number), kind: expect.any(String), method: expect.any(String) });
            }),
          },
        ],
      },
      {
        block: /^curl -s http:\/\/127\.0\.0\.1:3939\/api\/v1\/monitors\/demo-app\/uptime$/m,
        expect: [{ check: jsonCheck((body) => expect(body['1h']).toMatchObject({ checks: expect.any(Number) })) }],
      },
      {
        block: 'incidents?limit=20',
        expect: [
          { check: jsonCheck((body) => expect(Array.isArray(body.incidents)).toBe(true)) },
          { check: jsonCheck((body) => expect(Array.isArray(body.incidents)).toBe(true)) },
        ],
      },
      {
        block: '/api/v1/status-incidents \\',
        expect: [
          ok,
          { check: jsonCheck((body) => expect(body).toMatchObject({ status: 'identified' })) },
          { check: jsonCheck((body) => expect(body).toMatchObject({ impact: 'major', monitors: [{ id: 'demo-app', impact: 'partial' }] })) },
          { check: jsonCheck((body) => expect(body).toMatchObject({ status: 'resolved', resolved_at: expect.any(String) })) },
          { check: jsonCheck((body) => expect(body.incidents.some((i: any) => i.title === 'Checkout errors' && i.status === 'resolved')).toBe(true)) },
        ],
      },
      {
        block: 'events?after=0&limit=100',
        expect: [
          {
            // The pause and resume above are state changes.
            check: jsonCheck((body) => {
              const demo = body.events.filter((e: { monitor: string }) => e.monitor === 'demo-app');
              expect(demo.map((e: { to: string }) => e.to)).toContain('paused');
              expect(body.next).toBe(body.events.at(-1)?.id);
            }),
          },
          { background: eventStream },
        ],
      },
      {
        block: 'api/v1/openapi.json',
        expect: [{ check: jsonCheck((body) => expect(body.openapi).toMatch(/^3\.1\./)) }],
      },
      {
        block: 'curl -si -X OPTIONS',
        expect: [{ check: outputHas(/^HTTP\/1\.1 403 Forbidden\r$/m, '"code":"cors_refused"') }],
      },
    ],
  },
  {
    file: 'docs/pipeline.md',
    steps: [
      {
        block: '--name feed --scope read',
        expect: [
          { check: (r, label) => expect(r.stderr, label).toMatch(/created API token "feed" \(tok_[0-9a-f]+, scope read\)/) },
          {
            check: jsonCheck((body) => {
              expect(body.events.length).toBeGreaterThan(0);
              expect(body.events[0]).toMatchObject({ id: expect.any(Number), seq: 1, from: 'new', location: 'local' });
            }),
          },
        ],
      },
      { block: 'curl -sN', expect: [{ background: eventStream }] },
    ],
  },
  {
    file: 'docs/serve.md',
    steps: [
      {
        block: 'npx vigil config check --config examples/vigil.yaml',
        expect: [
          {
            // The same line, with the data directory serve would use: this run's VIGIL_DATA instead of ./data.
            check: (r, label) =>
              expect(r.stdout.replace(`SQLite ${ctx.data}/`, 'SQLite data/'), label).toBe(
                otherBlock('docs/serve.md', 'text', 'examples/vigil.yaml: valid'),
              ),
          },
        ],
      },
    ],
  },
  {
    file: 'docs/admin.md',
    steps: [
      {
        block: '--name on-call --scope write',
        expect: [{ check: outputHas(/^vgl_[A-Za-z0-9_-]{43}$/m) }, { check: outputHas('HTTP/1.1 303 See Other', 'location: /admin/login?next=%2Fadmin') }],
      },
    ],
  },
  {
    file: 'docs/status-page.md',
    // `vigil incident` talks to http://127.0.0.1:3939 unless told otherwise: here, to this file's server.
    env: () => ({ VIGIL_URL: `http://${ctx.monitor}` }),
    steps: [
      { block: 'npx vigil config check --config examples/vigil.yaml', expect: [{ check: outputHas('examples/vigil.yaml: valid') }] },
      { block: 'summary.json | jq', expect: [{ check: outputHas(/"indicator": "(none|minor|major|critical|maintenance)"/, '"name": "Demo app"') }] },
      {
        block: 'badge/status.json',
        expect: [
          { check: jsonCheck((body) => expect(body).toMatchObject({ schemaVersion: 1, label: 'Demo app', message: expect.any(String) })) },
          { check: outputHas(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/) },
        ],
      },
      {
        block: '--name status-team --scope write',
        expect: [
          ok,
          { check: outputHas(/^status incident \d+ created \(investigating, published\): Slow demo app$/m) },
          { check: outputHas(/Slow demo app/, /investigating/) },
        ],
      },
      { block: 'feed.atom | head -5', expect: [{ check: outputHas('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">') }] },
    ],
  },
  {
    file: 'docs/monitors.md',
    steps: [
      {
        block: '# A URL, with conditions',
        expect: [
          { check: outputHas('status       ✓ healthy', '  ✓ [STATUS] == 200', '  ✓ [RESPONSE_TIME] < 500') },
          { check: outputHas(/^components\n {2}[✓!] database +(healthy|degraded)$/m) },
          {
            check: jsonCheck((body) =>
              expect(body).toMatchObject({ status: expect.stringMatching(/^(healthy|degraded)$/), components: { database: expect.any(String) } }),
            ),
          },
          { check: outputHas('status code  200') },
          { check: outputHas('monitor      Demo app (demo-app)', '  ✓ [STATUS] == 200', '  ✓ [RESPONSE_TIME] < 1000') },
          {
            // The page shows this one's output; times vary.
            check: (r, label) => {
              const timeless = (text: string) => asOnPage(text).replace(/\d+(\.\d+)? ms/g, 'N ms');
              expect(timeless(r.stdout), label).toBe(timeless(otherBlock('docs/monitors.md', 'text', 'monitor      PostgreSQL')));
            },
          },
        ],
      },
    ],
  },
  {
    file: 'docs/storage.md',
    steps: [
      {
        // From the folder the monitor was started in: its data/ is this file's VIGIL_DATA.
        block: 'sqlite3 data/vigil.db',
        cwd: () => ctx.tmp,
        expect: [
          ok,
          {
            check: () => {
              const copy = path.join(ctx.tmp, 'backup', `vigil-${new Date().toISOString().slice(0, 10)}.db`);
              const tables = spawnSync('sqlite3', [copy, '.tables'], { encoding: 'utf8' });
              expect(tables.stdout).toMatch(/\btokens\b/);
              expect(tables.stdout).toMatch(/\bresults\b/);
            },
          },
        ],
      },
    ],
  },
  {
    file: 'docs/doctor.md',
    rewrites: () => [
      ['redis://127.0.0.1:6390', `redis://127.0.0.1:${ctx.refusedPort}`],
      ['doctor.yaml', path.join(ctx.tmp, 'doctor', 'doctor.yaml')],
      ['doctor.txt', path.join(ctx.tmp, 'doctor', 'doctor.txt')],
    ],
    env: () => ({ SHOP_REDIS_URL: ctx.redisUrl, BLOG_REDIS_URL: `${ctx.redisUrl}/1` }),
    steps: [
      {
        action: 'an empty Redis; the page’s doctor.yaml where the commands look for it',
        run: async () => {
          await flushRedis();
          await mkdir(path.join(ctx.tmp, 'doctor'), { recursive: true });
          await writeFile(path.join(ctx.tmp, 'doctor', 'doctor.yaml'), otherBlock('docs/doctor.md', 'yaml', 'apps:'));
        },
      },
      { block: 'upsertJobScheduler', expect: [ok, exits(2, doctorShows('no worker while 3 jobs wait'))] },
      {
        // "Start a worker in another terminal": it runs until the Ctrl-C further down.
        block: "name: 'mailer-1'",
        expect: [{ background: async (proc) => void (doctorWorker = proc) }],
      },
      {
        block: /^npx vigil doctor --queue emails\n$/,
        expect: [{ until: (r) => r.code === 0 && doctorText(r.stdout) === doctorText(otherBlock('docs/doctor.md', 'text', 'verdict: healthy')), check: doctorShows('verdict: healthy') }],
      },
      {
        block: '# One app, from flags',
        expect: [
          { check: outputHas('redis://', ' emails 1', 'verdict: healthy') },
          exits(1, outputHas('! queues     reports: no such queue')),
          exits(1, doctorShows('overall: ')),
          exits(
            1,
            jsonCheck((body) => {
              expect(body.status).toBe('degraded');
              expect(body.apps.map((app: { name: string }) => app.name)).toEqual(['shop']);
            }),
          ),
        ],
      },
      { block: 'npx vigil doctor --redis redis://127.0.0.1:6390', expect: [exits(2, doctorShows('connection refused'))] },
      {
        block: 'doctor.txt; code=$?',
        expect: [
          ok,
          {
            check: (r, label) => {
              expect(r.stdout.split('\n')[0], label).toBe('background jobs need attention (exit code 1)');
              expect(doctorText(r.stdout), label).toContain(doctorText(otherBlock('docs/doctor.md', 'text', 'overall: ')));
            },
          },
        ],
      },
      { block: /^npx vigil doctor --config doctor\.yaml\n$/, expect: [exits(1, doctorShows('overall: '))] },
      {
        action: 'Ctrl-C stops the worker, which exits 0',
        run: async () => {
          const worker = doctorWorker;
          if (!worker) throw new Error('the worker of the page did not start');
          expect(await stop(worker, 'SIGINT'), worker.output()).toBe(0);
        },
      },
      {
        block: 'queue.obliterate',
        expect: [
          {
            check: async () => {
              const redis = new Redis(ctx.redisUrl);
              try {
                expect(await redis.keys('bull:emails:*')).toEqual([]);
              } finally {
                redis.disconnect();
              }
            },
          },
        ],
      },
    ],
  },
  {
    file: 'docs/jobs.md',
    rewrites: () => [['127.0.0.1:8001', apps.jobsHealth]],
    steps: [
      {
        action: 'the quick start worker on an empty Redis, its job log in a folder of this file; jobs for it',
        run: async () => {
          await flushRedis();
          await mkdir(path.join(ctx.tmp, 'jobs'), { recursive: true });
          const port = await unusedPort();
          jobsWorker = await startExample(
            'jobs.md quick start',
            exampleApp('docs/jobs.md', "attachJobLog(worker, { file: '/var/log/shop/monitor.json.log'", [
              ["'/var/log/shop/monitor.json.log'", `'${path.join(ctx.tmp, 'jobs', 'monitor.json.log')}'`],
              ['.listen(8001,', `.listen(${port},`],
            ]),
          );
          apps.jobsHealth = `127.0.0.1:${port}`;
          await waitForHttp(`http://${apps.jobsHealth}/health`, jobsWorker);
          // What an app would queue: receipts, and a job scheduler that runs every second.
          const queue = new Queue('emails', { connection: { host: '127.0.0.1', port: ctx.redisPort } });
          try {
            await queue.upsertJobScheduler('digest', { every: 1000 }, { name: 'send-digest' });
            await queue.addBulk([1042, 1043, 1044].map((order) => ({ name: 'send-receipt', data: { order } })));
            const giveUp = Date.now() + 15_000;
            while ((await queue.getCompletedCount()) < 5) {
              if (Date.now() > giveUp) throw new Error(`the quick start worker did not do the jobs:\n${jobsWorker.output()}`);
              await sleep(100);
            }
          } finally {
            await queue.close();
          }
        },
      },
      {
        block: 'curl http://127.0.0.1:8001/metrics | grep vigil_queue_',
        expect: [
          {
            // `reports` has no queue yet (nothing queued a report): the check of the quick start says so, degraded.
            check: jsonCheck((body) => expect(body).toMatchObject({ status: 'degraded', checks: { bullmq: { status: 'degraded' } } })),
          },
          {
            check: (r, label) => {
              expect(r.stdout, label).toMatch(/^vigil_queue_jobs\{queue="emails",state="completed"\} \d+$/m);
              expect(r.stdout, label).toMatch(/^vigil_queue_jobs_completed_total\{queue="emails"\} [1-9]\d*$/m);
              expect(r.stdout.split('\n').filter(Boolean).every((line) => line.includes('vigil_queue_')), label).toBe(true);
            },
          },
        ],
      },
      {
        block: '# The slowest job names',
        cwd: () => path.join(ctx.tmp, 'jobs'),
        expect: [
          {
            check: jsonCheck((rows) => {
              expect(rows.map((row: { job: string }) => row.job).sort()).toEqual(['send-digest', 'send-receipt']);
              expect(rows.find((row: { job: string }) => row.job === 'send-receipt')).toMatchObject({ runs: 3 });
            }),
          },
          { check: (r, label) => expect(r.stdout, label).toBe('') },
          { check: jsonCheck((rows) => expect(rows).toEqual([])) },
          { check: outputHas(/^ +[1-9]\d* \d{4}-\d\d-\d\dT\d\d$/m) },
        ],
      },
      {
        block: /^npx vigil queues\n$/,
        expect: [{ check: all(sameHeader('docs/jobs.md', 'QUEUE    STATE'), outputHas(/^emails +- /m)) }],
      },
      {
        block: /^npx vigil workers\n$/,
        expect: [{ check: all(sameHeader('docs/jobs.md', 'NAME        QUEUE'), outputHas(/^mailer-1 +emails +(idle|busy) /m)) }],
      },
      {
        block: 'npx vigil jobs --queue emails --status failed',
        expect: [
          // An empty result is said on stderr, and exits 0.
          {
            check: (r, label) => {
              expect(r.stdout, label).toBe('');
              expect(r.stderr, label).toContain('vigil: no failed jobs in ');
            },
          },
          {
            check: all(sameHeader('docs/jobs.md', 'ID  QUEUE   STATUS'), (r, label) => expect(r.stdout.trim().split('\n'), label).toHaveLength(4)),
          },
        ],
      },
      {
        block: 'npx vigil schedules --limit 3',
        expect: [
          { check: all(sameHeader('docs/jobs.md', 'SCHEDULER  QUEUE'), outputHas(/^digest +emails +Complete +send-digest /m)) },
          { check: jsonCheck((runs) => expect(runs[0]).toMatchObject({ scheduler: 'digest', queue: 'emails' })) },
        ],
      },
      {
        block: 'npx vigil progress --follow --queue exports',
        expect: [
          {
            // Nothing active: said on stderr.
            check: (r, label) => {
              expect(r.stdout, label).toBe('');
              expect(r.stderr, label).toContain('vigil: no active jobs in ');
            },
          },
          {
            background: async (proc, label) => {
              await proc.waitFor(/vigil: following progress of queue exports; Ctrl-C to stop\n/);
              // Through npx, npm reports the Ctrl-C itself (130 in a shell); vigil under it closes and exits 0.
              expect([0, 'SIGINT'], label).toContain(await stop(proc, 'SIGINT'));
            },
          },
        ],
      },
      {
        action: 'stop the quick start worker',
        run: async () => {
          if (jobsWorker) await stop(jobsWorker, 'SIGKILL');
        },
      },
    ],
  },
  {
    file: 'docs/health.md',
    rewrites: () => [['127.0.0.1:8000', apps.health]],
    env: () => ({ HEALTH_TOKEN }),
    steps: [
      {
        action: 'the quick start app, with the token option of “Who sees what” (HEALTH_TOKEN)',
        run: async () => {
          const port = await unusedPort();
          apps.health = `127.0.0.1:${port}`;
          const js = exampleApp('docs/health.md', "listen(8000, '127.0.0.1');\ninstallGracefulShutdown", [
            ['.listen(8000,', `.listen(${port},`],
            ['const health = createHealth({', 'const health = createHealth({ token: process.env.HEALTH_TOKEN,'],
          ]);
          expect(js).toContain('token: process.env.HEALTH_TOKEN');
          healthApp = await startExample('health.md quick start', js, { HEALTH_TOKEN });
          await waitForHttp(`http://${apps.health}/livez`, healthApp);
        },
      },
      {
        block: "curl 'http://127.0.0.1:8000/readyz?verbose'",
        expect: [
          {
            check: (r, label) => {
              expect(r.stdout, label).toMatch(/^HTTP\/1\.1 200 OK\r$/m);
              // Anonymous: statuses, no details.
              expect(r.stdout, label).toMatch(/"checks":\{"database":\{"status":"(healthy|degraded)"/);
              expect(r.stdout, label).not.toContain('"details"');
            },
          },
          { check: outputHas('[+]database ok', '[+]redis_cache ok', '[+]disk ok', 'readyz check passed') },
        ],
      },
      {
        block: "Accept: application/health+json' http://127.0.0.1:8000/health",
        expect: [
          {
            check: jsonCheck((body) =>
              expect(body).toMatchObject({ status: expect.stringMatching(/^(pass|warn)$/), version: '1.4.2', serviceId: 'shop-api' }),
            ),
          },
        ],
      },
      {
        block: 'Bearer $HEALTH_TOKEN',
        expect: [{ check: jsonCheck((body) => expect(body.checks).toMatchObject({ disk: { details: { path: '/' } }, database: { details: { type: 'postgresql' } } })) }],
      },
      {
        action: 'stop the app',
        run: async () => {
          if (healthApp) await stop(healthApp, 'SIGKILL');
        },
      },
    ],
  },
  {
    file: 'docs/metrics.md',
    rewrites: () => [
      ['127.0.0.1:8000/metrics', `${apps.metrics}/metrics`],
      ['--out shop-monitoring', `--out ${path.join(ctx.tmp, 'metrics-stack')}`],
    ],
    steps: [
      {
        action: 'the quick start app',
        run: async () => {
          const port = await unusedPort();
          apps.metrics = `127.0.0.1:${port}`;
          metricsApp = await startExample(
            'metrics.md quick start',
            exampleApp('docs/metrics.md', "http.createServer(nodeHandler(health)).listen(8000, '127.0.0.1');", [['.listen(8000,', `.listen(${port},`]]),
          );
          await waitForHttp(`http://${apps.metrics}/livez`, metricsApp);
        },
      },
      {
        block: "curl -H 'Accept: application/openmetrics-text' http://127.0.0.1:8000/metrics",
        expect: [
          { check: outputHas('# TYPE vigil_check_status gauge', /^vigil_check_status\{check="database",status="(healthy|degraded)"\} 1$/m) },
          { check: outputHas('vigil_check_status{check="disk"', /\n# EOF\n$/) },
        ],
      },
      {
        block: 'npx vigil stack --out shop-monitoring --name shop --app',
        expect: [
          {
            check: () => {
              for (const file of ['prometheus.yml', 'alert_rules.yml', 'alert_rules_test.yml', 'alertmanager.yml', 'docker-compose.yml']) {
                expect(existsSync(path.join(ctx.tmp, 'metrics-stack', file)), file).toBe(true);
              }
            },
          },
        ],
      },
      {
        action: 'stop the app',
        run: async () => {
          if (metricsApp) await stop(metricsApp, 'SIGKILL');
        },
      },
    ],
  },
  {
    file: 'docs/monitoring-stack.md',
    rewrites: () => [['--out shop-monitoring', `--out ${path.join(ctx.tmp, 'shop-monitoring')}`]],
    env: () => ({ SMTP_PASSWORD: 'smtp-secret', SLACK_API_URL: 'https://hooks.slack.invalid/T0/B0/x', WEBHOOK_TOKEN: 'webhook-secret' }),
    steps: [
      {
        block: 'npx vigil stack --out shop-monitoring --name shop \\',
        expect: [
          {
            check: async () => {
              const prometheus = await readFile(path.join(ctx.tmp, 'shop-monitoring', 'prometheus.yml'), 'utf8');
              for (const target of ['host.docker.internal:8000', 'host.docker.internal:8001', 'host.docker.internal:3939']) {
                expect(prometheus).toContain(target);
              }
            },
          },
        ],
      },
      {
        block: 'mkdir -p secrets',
        cwd: () => path.join(ctx.tmp, 'shop-monitoring'),
        expect: [
          ok,
          ok,
          ok,
          ok,
          {
            check: async () => {
              const secrets = path.join(ctx.tmp, 'shop-monitoring', 'secrets');
              expect(statSync(secrets).mode & 0o777).toBe(0o700);
              expect(await readFile(path.join(secrets, 'smtp_password'), 'utf8')).toBe('smtp-secret');
              expect(await readFile(path.join(secrets, 'slack_api_url'), 'utf8')).toBe('https://hooks.slack.invalid/T0/B0/x');
              expect(await readFile(path.join(secrets, 'webhook_token'), 'utf8')).toBe('webhook-secret');
              expect(statSync(path.join(secrets, 'webhook_token')).mode & 0o777).toBe(0o644);
            },
          },
        ],
      },
      {
        block: 'GRAFANA_ADMIN_PASSWORD=',
        cwd: () => path.join(ctx.tmp, 'shop-monitoring'),
        expect: [
          {
            check: async () =>
              expect(await readFile(path.join(ctx.tmp, 'shop-monitoring', '.env'), 'utf8')).toMatch(/^GRAFANA_ADMIN_PASSWORD=[A-Za-z0-9+/]{24}\n$/),
          },
        ],
      },
      {
        block: 'promtool check config prometheus.yml',
        cwd: () => path.join(ctx.tmp, 'shop-monitoring'),
        expect: [
          { check: (r, label) => expect(r.stdout + r.stderr, label).toMatch(/SUCCESS: prometheus\.yml is valid/) },
          { check: (r, label) => expect(r.stdout + r.stderr, label).toMatch(/SUCCESS: \d+ rules found/) },
          { check: (r, label) => expect(r.stdout + r.stderr, label).toContain('SUCCESS') },
          { check: (r, label) => expect(r.stdout + r.stderr, label).toContain('SUCCESS') },
        ],
      },
    ],
  },
  {
    file: 'docs/worker.md',
    // `<pid>` stands for the worker's process id.
    rewrites: () => [
      ['127.0.0.1:8001', apps.sidecar],
      ['<pid>', String(sidecarWorker?.child.pid)],
    ],
    steps: [
      {
        action: 'the quick start worker on an empty Redis, its sidecar on a free port (VIGIL_WORKER_HEALTHCHECK_PORT)',
        run: async () => {
          await flushRedis();
          const port = await unusedPort();
          apps.sidecar = `127.0.0.1:${port}`;
          sidecarWorker = await startExample('worker.md quick start', exampleApp('docs/worker.md', 'startWorkerHealthServer({ diagnostics: true })', []), {
            VIGIL_WORKER_HEALTHCHECK_PORT: String(port),
          });
          await waitForHttp(`http://${apps.sidecar}/health`, sidecarWorker);
        },
      },
      {
        block: 'curl -i http://127.0.0.1:8001/health',
        expect: [
          {
            until: (r) => r.stdout.includes('{"status":"HEALTHY"}'),
            check: outputHas(/^HTTP\/1\.1 200 OK\r$/m, '{"status":"HEALTHY"}'),
          },
          { check: outputHas(/^vigil_worker_up 1$/m, 'vigil_worker_event_loop_lag_seconds') },
        ],
      },
      {
        block: 'kill -USR2 <pid>',
        expect: [
          {
            check: async (_r, label) => {
              const pid = sidecarWorker?.child.pid;
              await sidecarWorker?.waitFor(new RegExp(`vigil worker diagnostics \\(SIGUSR2\\) pid ${pid} at `), 10_000);
              expect(sidecarWorker?.stderr(), label).toMatch(/^current jobs \(0\)/m);
            },
          },
        ],
      },
      {
        action: 'stop the worker',
        run: async () => {
          if (sidecarWorker) await stop(sidecarWorker, 'SIGKILL');
        },
      },
    ],
  },
  {
    file: 'docs/shop.md',
    rewrites: () => [
      ['127.0.0.1:8000', apps.shopApi],
      ['127.0.0.1:8001', apps.shopWorker],
    ],
    steps: [
      {
        action: 'the built launcher, with the variables of the page’s second-shop line set to values of its own',
        run: async () => {
          const line = blockOf('docs/shop.md', 'SHOP_PORT=8100').text;
          const names = [...line.matchAll(/(\w+)=\S+/g)].map((m) => m[1]);
          expect(names).toEqual(['SHOP_PORT', 'VIGIL_WORKER_HEALTHCHECK_PORT', 'SHOP_SCHEMA', 'SHOP_QUEUE_PREFIX']);
          const suffix = `${process.pid}_${Date.now().toString(36)}`;
          shopNames.schema = `docs_test_${suffix}`;
          shopNames.prefix = `docs-test-${suffix}`;
          await flushRedis();
          shop = launch('shop', process.execPath, [path.join(REPO, 'examples/shop/dist/start.js')], {
            env: {
              ...ctx.env,
              SHOP_PORT: '0',
              VIGIL_WORKER_HEALTHCHECK_PORT: '0',
              SHOP_SCHEMA: shopNames.schema,
              SHOP_QUEUE_PREFIX: shopNames.prefix,
              SHOP_HEALTH_TOKEN: 's3cret',
              SHOP_JOB_LOG: path.join(ctx.tmp, 'shop-jobs.json.log'),
              SHOP_SHUTDOWN_DELAY_MS: '0',
              DATABASE_URL: POSTGRES_URL,
            },
          });
          const [, api] = await shop.waitFor(/^ {2}API +http:\/\/(\S+)\/ /m, 40_000);
          const [, worker] = await shop.waitFor(/^ {2}worker +http:\/\/(\S+)\/health /m);
          apps.shopApi = api ?? '';
          apps.shopWorker = worker ?? '';
        },
      },
      { block: '"qty": 0', expect: [{ check: asShownInComment('docs/shop.md', '"qty": 0') }] },
      {
        block: '"name": "Gelato Corner"',
        expect: [
          { check: asShownInComment('docs/shop.md', '"name": "Gelato Corner"') },
          { check: jsonCheck((body) => expect(body).toMatchObject({ code: 'ICE-PIS', stock_qty: 40 })) },
          { check: asShownInComment('docs/shop.md', '"customer_id": 4') },
          {
            until: (r) => r.stdout.includes('"state":"completed"'),
            check: asShownInComment('docs/shop.md', 'api/jobs/short/invoice-2-email'),
          },
          {
            until: (r) => /"emailed_at":"[^"]+"/.test(r.stdout),
            check: jsonCheck((body) => expect(body).toMatchObject({ id: 2, emailed_at: expect.any(String) })),
          },
          {
            // The invoice's stock job ran (the page is read at a human's pace): the first read fills the cache.
            until: (r) => r.stdout.includes('"stock_qty":37'),
            check: outputHas(/^x-cache: miss\r$/m, '"stock_qty":37'),
          },
          { check: outputHas(/^x-cache: hit\r$/m, '"stock_qty":37') },
          { check: jsonCheck((body) => expect(body).toMatchObject({ supplier: 'Dairy Fresh Co' })) },
          { check: asShownInComment('docs/shop.md', 'api/reports/sales-summary') },
          {
            until: (r) => /"invoices":1/.test(r.stdout),
            check: asShownInComment('docs/shop.md', 'curl -s http://127.0.0.1:8000/api/reports'),
          },
        ],
      },
      {
        block: 'curl -s http://127.0.0.1:8000/api/health                    # statuses only',
        expect: [
          {
            check: jsonCheck((body) => {
              expect(Object.keys(body.checks).sort()).toEqual(['database', 'disk', 'queues', 'redis_cache']);
              expect(JSON.stringify(body)).not.toContain('"details"');
            }),
          },
          { check: outputHas('[+]database ok', 'readyz check passed') },
          {
            // The business gauges the page shows, after its walk through.
            check: (r, label) => {
              const shown = plainBlock('docs/shop.md', 'shop_sales_today').split('\n').filter((line) => /^shop_\w+(\{.*\})? /.test(line));
              expect(shown.length).toBeGreaterThanOrEqual(5);
              for (const line of shown) expect(r.stdout, label).toContain(`${line}\n`);
            },
          },
        ],
      },
      {
        block: "Bearer s3cret'",
        expect: [{ check: jsonCheck((body) => expect(body.checks.database).toMatchObject({ status: 'healthy', details: expect.any(Object) })) }],
      },
      {
        block: 'curl -s http://127.0.0.1:8001/health     #',
        expect: [{ check: (r, label) => expect(r.stdout, label).toBe('{"status":"HEALTHY"}') }, { check: outputHas(/^vigil_worker_up 1$/m, 'vigil_queue_jobs_completed_total{queue="short"}') }],
      },
      {
        action: 'SIGTERM stops the shop, exit code 0',
        run: async () => {
          if (!shop) throw new Error('the shop did not start');
          expect(await stop(shop, 'SIGTERM', 30_000), shop.output()).toBe(0);
        },
      },
    ],
  },
  {
    file: 'docs/agents.md',
    // The agent's buffer goes to the temporary folder, not /var/lib.
    rewrites: () => [['/var/lib/vigil-agent', path.join(ctx.tmp, 'vigil-agent-eu-west')]],
    steps: [
      {
        block: '--name agent-eu-west --scope agent --config examples/vigil.yaml',
        expect: [
          {
            check: async (r, label, shell) => {
              expect(r.stderr, label).toMatch(/vigil: created API token "agent-eu-west" \(tok_[0-9a-f]+, scope agent\)/);
              expect((await shell.run('printf %s "$VIGIL_TOKEN"')).stdout, label).toMatch(TOKEN);
            },
          },
          {
            background: async (proc, label) => {
              await proc.waitFor(/"event":"monitors","location":"eu-west","monitors":\["demo-liveness"\],"msg":"checking 1 monitor from location eu-west"/);
              // Its first check comes within the monitor's interval (10 s); sent within a second or two.
              const giveUp = Date.now() + 30_000;
              for (;;) {
                const body = (await (await fetch(`http://${ctx.monitor}/api/v1/monitors/demo-liveness/results?limit=30`)).json()) as { results: { location: string }[] };
                if (body.results.some((result) => result.location === 'eu-west')) break;
                if (Date.now() > giveUp) throw new Error(`${label}: no result from eu-west within 30 s:\n${proc.output()}`);
                await sleep(500);
              }
              // Through npx, npm reports the Ctrl-C itself (130 in a shell); the agent under it sends what it holds and exits 0.
              expect([0, 'SIGINT'], label).toContain(await stop(proc, 'SIGINT'));
              expect(proc.output(), label).toMatch(/"event":"stopped","buffered":0/);
            },
          },
        ],
      },
      { block: 'demo-liveness/results?limit=30', expect: [{ check: asShownInComment('docs/agents.md', 'demo-liveness/results?limit=30') }] },
      {
        block: 'api/v1/agent/monitors?location=eu-west',
        expect: [
          { check: asShownInComment('docs/agents.md', 'api/v1/agent/monitors?location=eu-west') },
          { check: (r, label) => expect(r.stdout, label).toBe('403\n') },
        ],
      },
    ],
  },
];

/** The events stream sends `retry:` and its first comment at once, then follows until Ctrl-C. */
async function eventStream(proc: Proc): Promise<void> {
  await proc.waitFor(/^retry: 2000\n: following state changes after \d+\n/m, 10_000);
  // curl has no handler for SIGINT: Ctrl-C ends it.
  expect(await stop(proc, 'SIGINT')).toBe('SIGINT');
}

async function flushRedis(): Promise<void> {
  const redis = new Redis(ctx.redisUrl);
  try {
    await redis.flushall();
  } finally {
    redis.disconnect();
  }
}

async function runPage(page: Page): Promise<void> {
  const rewrites = () => [...(page.rewrites?.() ?? []), ...commonRewrites()];
  const env = { ...ctx.env, ...page.env?.() };
  const shells = new Map<string, Shell>();
  const shellIn = async (cwd: string) => {
    let shell = shells.get(cwd);
    if (!shell) {
      const dir = await mkdtemp(path.join(ctx.tmp, 'shell-'));
      shell = new Shell(cwd, env, dir);
      shells.set(cwd, shell);
    }
    return shell;
  };
  try {
    for (const step of page.steps) {
      if ('action' in step) {
        await step.run();
        continue;
      }
      const block = blockOf(page.file, step.block);
      expect(step.expect, `${page.file}:${block.line}: one expectation per command`).toHaveLength(block.commands.length);
      const cwd = step.cwd?.() ?? REPO;
      const shell = await shellIn(cwd);
      for (const [index, command] of block.commands.entries()) {
        const expectation = step.expect[index] ?? {};
        const text = localize(command.text, rewrites());
        const label = `${page.file}:${command.line}: ${command.text}`;
        if (expectation.background) {
          const proc = launch(label, 'sh', ['-c', `exec ${text}`], { cwd, env: await shell.exported() });
          await expectation.background(proc, label);
          continue;
        }
        let result = await shell.run(text);
        if (expectation.until) {
          const giveUp = Date.now() + 20_000;
          while (!expectation.until(result) && Date.now() < giveUp) {
            await sleep(200);
            result = await shell.run(text);
          }
        }
        const shown = `${label}\n--- ran in ${cwd}:\n${text}\n--- exit ${result.code}, stdout:\n${result.stdout}\n--- stderr:\n${result.stderr}`;
        expect(result.code, shown).toBe(expectation.code ?? 0);
        await expectation.check?.(result, shown, shell);
      }
    }
  } finally {
    for (const shell of shells.values()) shell.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe('the docs’ sh blocks', () => {
  it('are each run by this file or listed in NOT_RUN with a reason', () => {
    expect(BLOCKS.length).toBeGreaterThanOrEqual(50);
    const run = new Map<DocBlock, string>();
    for (const page of PAGES) {
      for (const step of page.steps) {
        if (!('block' in step)) continue;
        const block = blockOf(page.file, step.block);
        expect(run.has(block), `${page.file}:${block.line} is run twice`).toBe(false);
        run.set(block, page.file);
      }
    }
    const listed = new Set<DocBlock>();
    for (const entry of NOT_RUN) {
      const found = BLOCKS.filter((block) => block.file === entry.file && block.text.includes(entry.match));
      expect(found, `NOT_RUN: ${entry.file} "${entry.match}" must match exactly one sh block`).toHaveLength(1);
      const block = found[0] as DocBlock;
      expect(run.has(block), `${entry.file}:${block.line} is both run and in NOT_RUN`).toBe(false);
      expect(entry.reason.length).toBeGreaterThan(20);
      listed.add(block);
    }
    const neither = BLOCKS.filter((block) => !run.has(block) && !listed.has(block)).map((b) => `${b.file}:${b.line}:\n${b.text}`);
    expect(neither, 'sh blocks that are neither run here nor listed in NOT_RUN (with the reason): run them or list them').toEqual([]);
  });

  it('use `npx vigil`, not node packages/monitor/dist/cli.js or a bare vigil', () => {
    const commands = BLOCKS.flatMap((block) => block.commands);
    expect(commands.filter((command) => /(^|\$\()npx vigil /m.test(command.text)).length).toBeGreaterThanOrEqual(30);
    const wrong = BLOCKS.flatMap((block) =>
      block.commands
        .filter((command) => /(^|&&\s*|\|\s*|;\s*)(vigil |node packages\/monitor\/dist\/cli\.js)/m.test(command.text))
        .map((command) => `${block.file}:${command.line}: ${command.text}`),
    );
    expect(wrong).toEqual([]);
  });
});

describe.sequential('the docs’ sh blocks, run', () => {
  beforeAll(async () => {
    const missing = Object.entries(TOOLS)
      .filter(([tool]) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0)
      .map(([tool, pkg]) => `${tool} (Debian package ${pkg})`);
    if (missing.length > 0) throw new Error(`the docs' commands need programs that are not installed: ${missing.join(', ')}`);
    const built = [CLI, path.join(BIN, 'vigil'), path.join(REPO, 'examples/demo/dist/main.js'), path.join(REPO, 'examples/shop/dist/start.js')];
    const unbuilt = built.filter((file) => !existsSync(file));
    if (unbuilt.length > 0) throw new Error(`missing: ${unbuilt.join(', ')}: run \`npm ci\` (or \`npm run build\`) first`);

    ctx.tmp = await mkdtemp(path.join(os.tmpdir(), 'vigil-docs-commands-'));
    ctx.data = path.join(ctx.tmp, 'data');
    await mkdir(path.join(ctx.tmp, 'examples'));
    await symlink(path.join(REPO, 'node_modules'), path.join(ctx.tmp, 'examples', 'node_modules'), 'dir');
    ctx.redisPort = await unusedPort();
    ctx.redisUrl = `redis://127.0.0.1:${ctx.redisPort}`;
    ctx.refusedPort = await unusedPort();
    ctx.demoPort = await unusedPort();
    ctx.demo = `127.0.0.1:${ctx.demoPort}`;

    const env: NodeJS.ProcessEnv = { ...process.env };
    // Nothing from the developer's shell that the commands read: the page's own values apply.
    for (const name of Object.keys(env)) {
      if (/^(VIGIL_|SHOP_|NIGHTLY_BACKUP_PING_KEY$|HEALTH_TOKEN$|SHOP_REDIS_URL$|BLOG_REDIS_URL$)/.test(name)) delete env[name];
    }
    ctx.env = {
      ...env,
      PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`,
      VIGIL_DATA: ctx.data,
      VIGIL_LOG_FORMAT: 'json',
      // The demo app's port, which examples/vigil.yaml reads too.
      PORT: String(ctx.demoPort),
      REDIS_URL: ctx.redisUrl,
      DATABASE_URL: POSTGRES_URL,
    };

    const redis = launch('redis-server', 'redis-server', [
      '--port',
      String(ctx.redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      ctx.tmp,
    ], { env: ctx.env });
    await redis.waitFor(/Ready to accept connections/);

    const demo = launch('demo app', process.execPath, ['examples/demo/dist/main.js'], { env: { ...ctx.env, SHUTDOWN_DELAY_MS: '0' } });
    const monitor = launch('vigil serve', process.execPath, [CLI, 'serve', '--config', 'examples/vigil.yaml', '--port', '0'], { env: ctx.env });
    await demo.waitFor(/Vigil demo serving/);
    const [, url] = await monitor.waitFor(/"event":"listening","url":"http:\/\/([^"]+)"/);
    ctx.monitor = url ?? '';
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...running].map((proc) => stop(proc, 'SIGTERM', 3000)));
    if (shopNames.schema) {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${shopNames.schema}" CASCADE`);
      } finally {
        await client.end();
      }
    }
    if (ctx.tmp) {
      // The link first, so that nothing can follow it into the repository's node_modules.
      await unlink(path.join(ctx.tmp, 'examples', 'node_modules')).catch(() => undefined);
      await rm(ctx.tmp, { recursive: true, force: true });
    }
  }, 60_000);

  for (const page of PAGES) {
    it(`${page.file}`, () => runPage(page), 60_000);
  }
});
