/**
 * The SQLite database holds monitor definitions with their secrets (a basic-auth password, a database URL), so
 * its files are for the user running Vigil only: the directory is created 0700, the database and its lock file
 * 0600 before SQLite opens them (SQLite gives the WAL and SHM files the database file's permissions). An existing
 * directory or database that others may read is left as it is (it may be shared on purpose) but reported.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
/** Permission bits for group and others. */
const OTHERS = 0o077;

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/** Creates the directory (and its parents) 0700 if it is missing; says so if an existing one is open to others. */
export function ensurePrivateDir(dir: string, warn: (message: string) => void): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
    return;
  }
  const mode = statSync(dir).mode;
  if (mode & OTHERS) {
    warn(`${dir} can be read by other users (mode ${octal(mode)}): the database in it holds monitor secrets; chmod 700 ${dir}`);
  }
}

/** Creates the file empty and 0600 if it is missing; says so if an existing one is open to others. */
export function ensurePrivateFile(file: string, warn: (message: string) => void): void {
  try {
    // `wx`: only when it does not exist yet, so a file made meanwhile by another process is not touched.
    closeSync(openSync(file, 'wx', PRIVATE_FILE));
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const mode = statSync(file).mode;
  if (mode & OTHERS) {
    warn(`${file} can be read by other users (mode ${octal(mode)}): it holds monitor secrets; chmod 600 ${file}*`);
  }
}
