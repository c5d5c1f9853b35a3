/**
 * Real processes for the agent tests: `vigil serve` and `vigil agent` from the built CLI, tokens made with
 * `vigil token create`, a TCP proxy that can cut an agent off from its server and let it back, and the results a
 * server stored, read through its API.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { CLI } from '../support.js';

const run = promisify(execFile);

/** Nothing from the shell that runs the tests: each process gets exactly what the test gives it. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('VIGIL_')) delete env[name];
  return { ...env, ...extra };
}

export interface Proc {
  child: ChildProcess;
  output(): string;
  /** Exit code, or the signal's name. */
  exited: Promise<number | string>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (SIGTERM by default) and waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

export function launch(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(env) });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    child,
    output: () => output,
    exited,
    async waitFor(pattern, timeoutMs = 20_000) {
      const giveUp = Date.now() + timeoutMs;
      for (;;) {
        const match = output.match(pattern);
        if (match) return match;
        if (gone) throw new Error(`vigil ${args[0]} exited (${await exited}) before printing ${pattern}:\n${output}`);
        if (Date.now() > giveUp) throw new Error(`vigil ${args[0]} did not print ${pattern} within ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (!gone) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const how = await exited;
      clearTimeout(timer);
      return how;
    },
  };
}

/** `vigil serve` on a free port, its SQLite database in `dir`; resolves once it listens. */
export async function serve(configFile: string, dir: string): Promise<Proc & { url: string }> {
  const proc = launch(['serve', '--config', configFile, '--port', '0', '--data', dir, '--log-format', 'json']);
  const [, url] = await proc.waitFor(/"event":"listening","url":"(http:\/\/[^"]+)"/);
  return Object.assign(proc, { url: url as string });
}

/** A token from `vigil token create`, for the server of `configFile` and `dir`. */
export async function createToken(configFile: string, dir: string, name: string, scope: string): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, 'token', 'create', '--config', configFile, '--data', dir, '--name', name, '--scope', scope], {
    env: cleanEnv(),
  });
  return stdout.trim();
}

/** `vigil agent`, JSON logs; the token in the environment, as the docs advise. */
export function agent(options: { server: string; token: string; location: string; buffer: string; args?: string[] }): Proc {
  return launch(
    ['agent', '--server', options.server, '--location', options.location, '--buffer', options.buffer, '--log-format', 'json', ...(options.args ?? [])],
    { VIGIL_TOKEN: options.token },
  );
}

/**
 * A TCP proxy to `target` on a port of its own: `cut()` closes it (connections refused, open ones destroyed), as a
 * network that goes away; `restore()` listens again on the same port.
 */
export async function tcpProxy(target: string): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetPort), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const cut = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    cut,
    restore: () => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve())),
    close: () => (server.listening ? cut() : Promise.resolve()),
  };
}

export interface StoredResult {
  at: number;
  status: string;
  location: string;
}

/** A monitor's stored results from one location, oldest first, read through the API. */
export async function storedResults(server: string, token: string, monitor: string, location: string): Promise<StoredResult[]> {
  const response = await fetch(`${server}/api/v1/monitors/${monitor}/results?limit=1000`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`results of ${monitor}: HTTP ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { results: Array<{ at: string; status: string; location: string }> };
  return body.results
    .filter((result) => result.location === location)
    .map((result) => ({ at: Date.parse(result.at), status: result.status, location: result.location }))
    .reverse();
}

/** Waits until `check` holds (polling), or fails with what it last saw. */
export async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > giveUp) throw new Error(`${what}: not within ${timeoutMs} ms; last seen: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
