import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { unusedPort } from './net.js';

const run = promisify(execFile);
/** The newest installed server's binaries (Debian installs them per major version). */
const BIN = (() => {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
    : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest)
    throw new Error(
      'PostgreSQL server binaries (initdb) not found under /usr/lib/postgresql: apt-get install postgresql',
    );
  return path.join(base, newest, 'bin');
})();

/**
 * A PostgreSQL cluster of the test's own with password (SCRAM) authentication: the shared server trusts every
 * local login, so a wrong password could not fail there. PostgreSQL refuses to run as root, hence `runuser`.
 */
export interface PrivatePostgres {
  readonly port: number;
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`. */
  url(password: string): string;
  stop(): Promise<void>;
}

export async function startPrivatePostgres(password: string): Promise<PrivatePostgres> {
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pwfile');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  let owner: { uid: number; gid: number } | undefined;
  if (asRoot) {
    owner = { uid: Number(await idOf('-u')), gid: Number(await idOf('-g')) };
    await chown(dir, owner.uid, owner.gid);
    await chown(pwfile, owner.uid, owner.gid);
  }
  const pg = (bin: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(BIN, bin), ...args]) : run(path.join(BIN, bin), args);

  const port = await unusedPort();
  let started = false;
  const stop = async () => {
    try {
      if (started) await pg('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
    } finally {
      started = false;
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    await pg('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      '--no-sync',
      '--no-instructions',
      '-E',
      'UTF8',
    ]);
    started = true;
    await pg('pg_ctl', [
      'start',
      '-D',
      data,
      '-w',
      '-l',
      path.join(dir, 'log'),
      '-o',
      `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off`,
    ]);
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  return {
    port,
    url: (pw) => `postgres://postgres:${encodeURIComponent(pw)}@127.0.0.1:${port}/postgres`,
    stop,
  };
}

async function idOf(flag: '-u' | '-g'): Promise<string> {
  const { stdout } = await run('id', [flag, 'postgres']);
  return stdout.trim();
}
