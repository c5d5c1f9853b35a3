// Question: what does one plain HTTP GET cost the client's process — CPU (user + system) per request — through
// node:http, through undici 7 and through a minimal HTTP/1.1 client on a bare `net` socket, at 50, 500 and 2,000
// requests a second, sent one by one (each at its own time, by timers) or in bursts (every request of a 100 ms or a
// 250 ms window fired together), on a fresh connection per request and on kept connections? Baseline in the same
// run: node:http in the same mode; the ratio is what another client saves or costs (issue 16).
//
// Every client records the phase timings Vigil records (connect, first byte, transfer) the way it would have to:
// node:http from socket and response events, undici from its diagnostics channels (`undici` alone, without
// subscribers, shows what the channels cost), the bare socket from its own events. All read the 200-byte body
// into a string. None has a timeout or an abort signal (that is the scheduler's part, not the client's).
//
// Each client runs in a process of its own for each connection mode, warmed up once (4,000 requests: a
// long-running monitor's code is optimised, and V8 compiles on background threads whose CPU counts), against a
// target server in yet another process. The process then runs its cells (rate × sending) one after the other,
// highest rate first, without pausing: a process left idle for seconds between cells measured up to twice as
// much at 500/s (V8's and the CPU's caches cooling down, presumably), a property of the pause, not of the client.
// Each cell makes a new client (no connection kept from another cell), runs its own pattern for a moment (a kept
// pool grows to its bursts), then measures: CPU is process.cpuUsage() of the client's process from the first
// request sent to the last response read, divided by the requests. So the low rates are measured in a process that
// was busy a moment before (`--rates=50 --warmup=8` for one that has been at 50/s for a while). The target counts
// connections (fresh must mean one a request) and the machine's other load is reported (from /proc/stat), since
// it skews the figures.
// Run: npm run bench:http-client   (builds first; under 3 minutes; --seconds=N per cell, --clients=http,net,
//      --rates=50, --sending=0,250, --connections=fresh for a partial run; --json=FILE keeps every figure)
import { spawn } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';

const CLIENTS = {
  http: 'node:http',
  undici: 'undici',
  'undici-dc': 'undici + diagnostics channels',
  net: 'net socket',
  // Not in the default run: undici with a new Client per request (fresh) / one Client, one connection (kept);
  // and no request at all (the timers and promises of the bench itself: the floor under every client).
  'undici-client': 'undici, Client',
  none: 'no request',
};
const PATH = '/check';
const HEADERS = { 'user-agent': 'vigil-bench', accept: '*/*' };
/** The options of the http probe's keep-alive agent (packages/core/src/probes/http.ts). */
const PROBE_AGENT = { keepAlive: true, timeout: 4000, scheduling: 'lifo' };

// ---------------------------------------------------------------------------------------------------------------
// The clients. Each is `{ send, close }`: `send(timings)` is a promise of the body, filling `timings` as the phases
// pass; `close()` ends its connections.

function httpClient(port, keepAlive) {
  // As the http probe does: agent: false for a fresh connection (Node then sends `Connection: close`), a shared
  // keep-alive agent otherwise — with room for 1,024 idle sockets instead of 256, or bursts of 500 to the one
  // target would reopen half their connections (undici's pool and the bare client keep all of them).
  const agent = keepAlive ? new http.Agent({ ...PROBE_AGENT, maxFreeSockets: 1024 }) : false;
  const options = { host: '127.0.0.1', port, path: PATH, headers: HEADERS, agent };
  const close = () => (agent ? agent.destroy() : undefined);
  const send = (timings) =>
    new Promise((resolve, reject) => {
      const start = performance.now();
      let connectAt;
      const req = http.request(options, (res) => {
        const responseAt = performance.now();
        timings.firstByte = responseAt - (connectAt ?? start);
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          timings.transfer = performance.now() - responseAt;
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
        res.on('error', reject);
      });
      req.on('socket', (socket) => {
        if (req.reusedSocket) return;
        socket.once('connect', () => {
          connectAt = performance.now();
          timings.connect = connectAt - start;
        });
      });
      req.on('error', reject);
      req.end();
    });
  return { send, close };
}

/** The timings object of the request being created (undici creates its Request synchronously in `request()`). */
let creating;
const kTimings = Symbol('timings');
const kConnectedAt = Symbol('connectedAt');

let subscribed = false;

/** Phase timings from undici's diagnostics channels, as Vigil would record them (once per process). */
function subscribeUndici() {
  if (subscribed) return;
  subscribed = true;
  diagnosticsChannel.subscribe('undici:request:create', ({ request }) => {
    request[kTimings] = creating;
    creating.startAt = performance.now();
  });
  diagnosticsChannel.subscribe('undici:client:connected', ({ socket }) => {
    socket[kConnectedAt] = performance.now();
  });
  diagnosticsChannel.subscribe('undici:client:sendHeaders', ({ request, socket }) => {
    const timings = request[kTimings];
    const connectedAt = socket[kConnectedAt];
    if (connectedAt > timings.startAt) timings.connect = connectedAt - timings.startAt;
    timings.sentAt = performance.now();
  });
  diagnosticsChannel.subscribe('undici:request:headers', ({ request }) => {
    const timings = request[kTimings];
    timings.headersAt = performance.now();
    timings.firstByte = timings.headersAt - timings.sentAt;
  });
  diagnosticsChannel.subscribe('undici:request:trailers', ({ request }) => {
    const timings = request[kTimings];
    timings.transfer = performance.now() - timings.headersAt;
  });
}

async function undiciClient(port, keepAlive, withChannels) {
  const { Pool } = await import('undici');
  if (withChannels) subscribeUndici();
  // One Pool per origin (connections unlimited, as node:http's agent); a fresh connection per request with
  // `reset: true` (undici sends `Connection: close` and closes the socket after the response).
  const pool = new Pool(`http://127.0.0.1:${port}`);
  const options = { path: PATH, method: 'GET', headers: HEADERS, reset: !keepAlive };
  const send = async (timings) => {
    creating = timings;
    const { body } = await pool.request(options);
    return body.text();
  };
  return { send, close: () => pool.destroy() };
}

async function undiciSingleClient(port, keepAlive) {
  const { Client } = await import('undici');
  subscribeUndici();
  const origin = `http://127.0.0.1:${port}`;
  const options = { path: PATH, method: 'GET', headers: HEADERS, reset: !keepAlive };
  if (keepAlive) {
    // One Client: one connection, requests queued on it one after the other.
    const client = new Client(origin);
    const send = async (timings) => {
      creating = timings;
      const { body } = await client.request(options);
      return body.text();
    };
    return { send, close: () => client.destroy() };
  }
  const send = async (timings) => {
    const client = new Client(origin);
    try {
      creating = timings;
      const { body } = await client.request(options);
      return await body.text();
    } finally {
      client.close().catch(() => {});
    }
  };
  return { send, close: () => {} };
}

const kExchange = Symbol('exchange');

/**
 * One request and its response on a `net` socket: GET written in one piece, the response read until its
 * Content-Length is complete (no chunked encoding: enough for a bench, not for a probe).
 */
class Exchange {
  constructor(timings, resolve, reject) {
    this.timings = timings;
    this.resolve = resolve;
    this.reject = reject;
    this.start = performance.now();
    this.connectAt = undefined;
    this.firstByteAt = undefined;
    this.buffer = undefined;
    this.bodyStart = -1;
    this.length = 0;
    this.close = false;
  }

  /** True when the response is complete. */
  feed(chunk) {
    if (this.firstByteAt === undefined) {
      this.firstByteAt = performance.now();
      this.timings.firstByte = this.firstByteAt - (this.connectAt ?? this.start);
    }
    this.buffer = this.buffer === undefined ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.bodyStart < 0) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const head = this.buffer.toString('latin1', 0, end);
      const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
      if (!head.startsWith('HTTP/1.') || length === null) throw new Error('unsupported response');
      this.status = Number(head.slice(9, 12));
      this.length = Number(length[1]);
      this.close = /\r\nconnection:[ \t]*close/i.test(head);
      this.bodyStart = end + 4;
    }
    return this.buffer.length >= this.bodyStart + this.length;
  }

  body() {
    this.timings.transfer = performance.now() - this.firstByteAt;
    return this.buffer.toString('utf8', this.bodyStart, this.bodyStart + this.length);
  }
}

function netClient(port, keepAlive) {
  const request = Buffer.from(
    `GET ${PATH} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: ${HEADERS['user-agent']}\r\n` +
      `Accept: ${HEADERS.accept}\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`,
    'latin1',
  );
  const idle = [];
  // Listeners set once per socket, the exchange in progress hung on it.
  function onConnect() {
    const exchange = this[kExchange];
    exchange.connectAt = performance.now();
    exchange.timings.connect = exchange.connectAt - exchange.start;
  }
  function onData(chunk) {
    const exchange = this[kExchange];
    if (exchange === undefined) return void this.destroy();
    let complete;
    try {
      complete = exchange.feed(chunk);
    } catch (error) {
      this[kExchange] = undefined;
      this.destroy();
      return void exchange.reject(error);
    }
    if (!complete) return;
    this[kExchange] = undefined;
    if (keepAlive && !exchange.close) idle.push(this);
    else this.destroy();
    exchange.resolve(exchange.body());
  }
  function onClose() {
    const exchange = this[kExchange];
    if (exchange !== undefined) {
      this[kExchange] = undefined;
      exchange.reject(new Error('connection closed before the response was complete'));
    }
    const at = idle.indexOf(this);
    if (at >= 0) idle.splice(at, 1);
  }
  const send = (timings) =>
    new Promise((resolve, reject) => {
      const exchange = new Exchange(timings, resolve, reject);
      let socket = keepAlive ? idle.pop() : undefined;
      if (socket === undefined) {
        socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
        socket.on('connect', onConnect);
        socket.on('data', onData);
        socket.on('close', onClose);
        socket.on('error', () => {}); // 'close' follows and rejects
      }
      socket[kExchange] = exchange;
      socket.write(request);
    });
  const close = () => {
    for (const socket of idle.splice(0)) socket.destroy();
  };
  return { send, close };
}

async function makeClient(name, port, keepAlive) {
  switch (name) {
    case 'http':
      return httpClient(port, keepAlive);
    case 'undici':
      return undiciClient(port, keepAlive, false);
    case 'undici-dc':
      return undiciClient(port, keepAlive, true);
    case 'undici-client':
      return undiciSingleClient(port, keepAlive);
    case 'net':
      return netClient(port, keepAlive);
    case 'none': {
      const body = 'x'.repeat(200);
      return { send: async () => body, close: () => {} };
    }
    default:
      throw new Error(`unknown client ${name}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The worker: one process per client and connection mode, warmed up once, running the cells it is sent.

/**
 * Sends `rate × seconds` requests: request i is due at i / rate (one by one), or at the start of the window of
 * `windowMs` it falls in (bursts). A timer wakes the loop when the next request is due; it sends all requests
 * due by then. Resolves when every response is in.
 */
function drive(send, rate, windowMs, seconds) {
  const total = Math.round(rate * seconds);
  const periodMs = 1000 / rate;
  const dueAt = (i) => (windowMs > 0 ? Math.floor((i * periodMs) / windowMs) * windowMs : i * periodMs);
  const durations = new Float64Array(total);
  const timings = [];
  return new Promise((resolve) => {
    const start = performance.now();
    let sent = 0;
    let completed = 0;
    let errors = 0;
    let wakeups = 0;
    let lastAt = start;
    const finish = (i, sentAt, failed) => {
      lastAt = performance.now();
      durations[i] = lastAt - sentAt;
      if (failed) errors++;
      if (++completed === total) {
        resolve({ total, errors, wakeups, elapsedMs: lastAt - start, durations, timings });
      }
    };
    const fire = () => {
      const i = sent++;
      const sentAt = performance.now();
      const phase = {};
      if (i < 100) timings.push(phase);
      send(phase).then(
        (body) => finish(i, sentAt, body.length !== 200),
        () => finish(i, sentAt, true),
      );
    };
    const tick = () => {
      wakeups++;
      // A timer may fire a fraction of a millisecond before the time it was set for (whole milliseconds in libuv):
      // the wake-up counts as that time, so that it sends what it was set for.
      const now = Math.max(performance.now() - start, dueAt(sent));
      while (sent < total && dueAt(sent) <= now) fire();
      if (sent < total) setTimeout(tick, Math.max(0, dueAt(sent) - (performance.now() - start)));
    };
    tick();
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

let answer;

/** Asks the parent (which asks the target) for the target's counters, and the machine's busy time. */
function targetCounters() {
  return new Promise((resolve) => {
    answer = resolve;
    process.send({ type: 'counters' });
  });
}

/**
 * Warm-up, once per process: V8 optimises the code paths of a client only after thousands of calls (and compiles
 * on background threads, whose CPU counts), as in a long-running process. By default 2,000 requests 10 at a time,
 * then 10 bursts of 200. After 500 requests, node:http's fresh cells at 500/s cost two to three times as much as
 * after 4,000 or 10,000 (which agree within the noise).
 */
async function warmUp({ client, port, keepAlive, prewarm }) {
  const { send, close } = await makeClient(client, port, keepAlive);
  const batch = (size) => Promise.all(Array.from({ length: size }, () => send({})));
  for (let i = 0; i < prewarm / 20; i++) await batch(10);
  for (let i = 0; i < 10; i++) await batch(prewarm / 20);
  await close();
}

/** One cell: a new client (no connections kept from another cell), warmed up in the cell's pattern, measured. */
async function runCell({ client, port, keepAlive, rate, windowMs, seconds, warmup }) {
  const { send, close } = await makeClient(client, port, keepAlive);
  // The cell's own pattern first: a kept pool grown to its bursts.
  await drive(send, rate, windowMs, warmup);
  // No forced GC here: after `gc()` (--expose-gc) node:http cost 1.6 times more per request for seconds.
  const target0 = await targetCounters();
  const cpu0 = process.cpuUsage();
  const run = await drive(send, rate, windowMs, seconds);
  const cpu = process.cpuUsage(cpu0);
  const target1 = await targetCounters();
  await close();
  const served = target1.requests - target0.requests;
  const sorted = run.durations.sort();
  const phases = run.timings.filter((t) => t.firstByte !== undefined);
  return {
    requests: run.total,
    errors: run.errors,
    cpuPerRequestMs: (cpu.user + cpu.system) / 1000 / run.total,
    userShare: cpu.user / (cpu.user + cpu.system),
    // A client that cannot keep up stretches the run beyond the offered window.
    achievedRate: run.total / Math.max(seconds, run.elapsedMs / 1000),
    elapsedS: run.elapsedMs / 1000,
    requestsPerWakeup: run.total / run.wakeups,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    // Sanity: the phases were recorded; fresh means a connection per request, kept does not.
    timedPhases: phases.length,
    connectTimed: phases.filter((t) => t.connect !== undefined).length,
    connectionsPerRequest: (target1.connections - target0.connections) / served,
    targetCpuPerRequestMs: (target1.cpuMs - target0.cpuMs) / served,
    // Cores busy with anything else than this cell and the target during the window (noise).
    otherCores:
      (target1.busyMs - target0.busyMs - (target1.cpuMs - target0.cpuMs) - (cpu.user + cpu.system) / 1000) /
      run.elapsedMs,
  };
}

function worker(config) {
  process.on('message', (message) => {
    if (message.type === 'counters') answer(message.counters);
    else if (message.type === 'run') {
      runCell({ ...config, ...message.cell }).then((result) => process.send({ type: 'result', result }));
    } else if (message.type === 'exit') process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
  warmUp(config).then(() => process.send({ type: 'ready' }));
}

// ---------------------------------------------------------------------------------------------------------------
// The run: a target, then for each connection mode and client a worker process and its cells.

async function startTarget() {
  const child = spawn(process.execPath, [new URL('./http-client-target.mjs', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [chunk] = await once(child.stdout, 'data');
  const counters = async () => {
    child.send('counters');
    const [message] = await once(child, 'message');
    return message;
  };
  return { port: Number(String(chunk).trim()), child, counters };
}

/** CPU time spent by the whole machine since boot (all cores, idle and iowait excepted), from /proc/stat. */
async function machineBusyMs() {
  try {
    const fields = (await readFile('/proc/stat', 'utf8')).split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const busy = fields.slice(0, 8).reduce((a, b) => a + b, 0) - fields[3] - fields[4];
    return (busy * 1000) / 100; // USER_HZ
  } catch {
    return Number.NaN;
  }
}

/** A worker process for one client and connection mode; resolves once it has warmed up. */
async function startWorker(config, target) {
  const argv = [new URL(import.meta.url).pathname, `--worker=${JSON.stringify(config)}`];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let settle;
  child.on('message', (message) => {
    if (message.type === 'counters') {
      Promise.all([target.counters(), machineBusyMs()]).then(([counters, busyMs]) =>
        child.send({ type: 'counters', counters: { ...counters, busyMs } }),
      );
    } else {
      settle.resolve(message.result);
    }
  });
  child.on('exit', (code) => settle?.reject(new Error(`worker ${JSON.stringify(config)} exited with ${code}`)));
  const next = () => new Promise((resolve, reject) => (settle = { resolve, reject }));
  await next();
  return {
    run: (cell) => {
      const result = next();
      child.send({ type: 'run', cell });
      return result;
    },
    stop: () => child.send({ type: 'exit' }),
  };
}

const f = (n, digits = 3) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const sendingName = (windowMs) => (windowMs > 0 ? `bursts every ${windowMs} ms` : 'one by one');

function printTables({ clients, rates, windows, modes, seconds, warmup, runS, results }) {
  const find = (mode, rate, windowMs, client) =>
    results.find((r) => r.mode === mode && r.rate === rate && r.windowMs === windowMs && r.client === client);
  const rows = [];
  for (const mode of modes) {
    for (const rate of rates) {
      for (const windowMs of windows) {
        rows.push({ mode, rate, windowMs, cells: clients.map((client) => find(mode, rate, windowMs, client)) });
      }
    }
  }
  const names = clients.map((c) => CLIENTS[c]).join(' | ');
  const aligned = clients.map(() => '---:').join(' | ');

  console.log(
    `\nCPU of the client's process per GET (user + system) and its ratio to node:http in the same mode; ` +
      `${seconds} s a cell after a warm-up; the run took ${f(runS, 0)} s\n`,
  );
  console.log(`| connections | offered | sending | ${names} | achieved req/s (${clients.join(' / ')}) |`);
  console.log(`| --- | ---: | --- | ${aligned} | ---: |`);
  for (const { mode, rate, windowMs, cells } of rows) {
    const base = cells[0].cpuPerRequestMs;
    const cpu = cells.map((r, i) => {
      const ratio = i === 0 ? '' : ` ×${f(r.cpuPerRequestMs / base, 2)}`;
      const errors = r.errors > 0 ? ` (${r.errors} errors)` : '';
      return `${f(r.cpuPerRequestMs)} ms${ratio}${errors}`;
    });
    const achieved = cells.map((r) => f(r.achievedRate, 0)).join(' / ');
    console.log(`| ${mode} | ${rate}/s | ${sendingName(windowMs)} | ${cpu.join(' | ')} | ${achieved} |`);
  }

  console.log(
    `\nRequest duration p50 / p99 in ms (from the call to the body read), connections opened per request ` +
      `(${clients.join(' / ')}), and the target's CPU per request in the node:http cell (warm-up: ${warmup} s)\n`,
  );
  console.log(`| connections | offered | sending | ${names} | connections per request | target CPU |`);
  console.log(`| --- | ---: | --- | ${aligned} | ---: | ---: |`);
  for (const { mode, rate, windowMs, cells } of rows) {
    const durations = cells.map((r) => `${f(r.p50Ms, 1)} / ${f(r.p99Ms, 1)}`);
    const connections = cells.map((r) => f(r.connectionsPerRequest, 2)).join(' / ');
    const targetCpu = f(cells[0].targetCpuPerRequestMs);
    const head = `| ${mode} | ${rate}/s | ${sendingName(windowMs)}`;
    console.log(`${head} | ${durations.join(' | ')} | ${connections} | ${targetCpu} ms |`);
  }
}

async function main(args) {
  const list = (value) => value.split(',').filter(Boolean);
  const clients = list(args.clients);
  for (const name of clients) if (!(name in CLIENTS)) throw new Error(`unknown client ${name}`);
  if (clients[0] !== 'http') clients.unshift('http'); // the baseline, first
  const rates = list(args.rates).map(Number);
  const windows = list(args.sending).map(Number);
  const modes = list(args.connections);
  const seconds = Number(args.seconds);
  const warmup = Number(args.warmup);

  const startedAt = Date.now();
  const target = await startTarget();
  const results = [];
  try {
    for (const mode of modes) {
      const keepAlive = mode === 'kept';
      for (const client of clients) {
        // One warmed-up process per client and mode, its cells one after the other with no pause (a process left
        // idle for seconds is a colder one), the highest rates first.
        const config = { client, port: target.port, keepAlive, prewarm: Number(args.prewarm) };
        const worker = await startWorker(config, target);
        for (const rate of [...rates].sort((a, b) => b - a)) {
          for (const windowMs of windows) {
            const result = await worker.run({ rate, windowMs, seconds, warmup });
            results.push({ mode, rate, windowMs, client, ...result });
            console.error(
              `${mode} ${rate}/s ${sendingName(windowMs)} ${client}: ${f(result.cpuPerRequestMs)} ms a request, ` +
                `${f(result.achievedRate, 0)}/s, ${f(result.connectionsPerRequest, 2)} connections a request`,
            );
            if (client !== 'none' && result.connectionsPerRequest > 0.99 === keepAlive) {
              console.error('  warning: not the connections asked for');
            }
          }
        }
        worker.stop();
      }
    }
  } finally {
    target.child.kill('SIGTERM');
  }
  const runS = (Date.now() - startedAt) / 1000;
  const others = results.map((r) => r.otherCores).sort((a, b) => a - b);
  console.error(
    `other load on the machine during the windows: median ${f(others[others.length >> 1], 2)} cores, ` +
      `max ${f(others.at(-1), 2)}`,
  );
  if (args.json !== undefined) await writeFile(args.json, JSON.stringify({ args, runS, results }, null, 2));
  printTables({ clients, rates, windows, modes, seconds, warmup, runS, results });
}

const { values: args } = parseArgs({
  options: {
    worker: { type: 'string' },
    seconds: { type: 'string', default: '1.75' },
    warmup: { type: 'string', default: '0.3' },
    // Requests each worker makes before its first cell.
    prewarm: { type: 'string', default: '4000' },
    clients: { type: 'string', default: 'http,undici,undici-dc,net' },
    rates: { type: 'string', default: '50,500,2000' },
    // 0: one by one; N: bursts, every request of an N ms window fired together.
    sending: { type: 'string', default: '0,100,250' },
    connections: { type: 'string', default: 'fresh,kept' },
    json: { type: 'string' },
  },
});

if (args.worker !== undefined) {
  worker(JSON.parse(args.worker));
} else {
  await main(args);
}
