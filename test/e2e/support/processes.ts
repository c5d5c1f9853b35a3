import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A binary from a Debian package, or a clear failure naming the package to install. */
export function requireBinary(binary: string, debianPackage: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${binary} not found: install it with apt-get install ${debianPackage}`);
  }
}

export interface RunningProcess {
  readonly dir: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Starts a server binary with a private temp dir; keeps its output for failure messages. */
export function startProcess(binary: string, args: (dir: string) => string[], name: string): RunningProcess {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vigil-${name}-`));
  let output = '';
  const child: ChildProcess = spawn(binary, args(dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  });
  child.on('error', (error) => {
    output += `\nspawn failed: ${error.message}`;
  });
  return {
    dir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const giveUp = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > giveUp) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await sleep(250);
  }
}
