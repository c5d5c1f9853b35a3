/** A monitor's `ca_file`, read at each check: a renewed CA file is used without a reload. */
import { readFile } from 'node:fs/promises';

export async function readCaFile(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be read';
    throw new Error(`ca_file ${path}: ${why}`);
  }
}
