/**
 * Watching the configuration files for `vigil serve`: a change triggers a reload only once every watched file
 * has stopped changing (same size and modification time for `quietMs`), so a file that an editor or a deploy is
 * still writing is not read half-written. Polling the files' stat survives editors that replace a file (rename)
 * instead of writing it.
 */
import { type Stats, statSync, unwatchFile, watchFile } from 'node:fs';

export interface ConfigWatchOptions {
  /** How often a file's stat is polled for a change. Default 1 s. */
  pollMs?: number;
  /** How long every file must stay unchanged before the reload. Default 1 s. */
  quietMs?: number;
}

export interface ConfigWatch {
  /** Watches more files (those a reload added). */
  add(files: readonly string[]): void;
  close(): void;
}

/** What identifies a file's content without reading it; `missing` while it does not exist (mid-rename). */
function fingerprint(file: string): string {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch {
    return 'missing';
  }
  return `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
}

export function watchConfigFiles(
  files: readonly string[],
  onSettled: () => void,
  options: ConfigWatchOptions = {},
): ConfigWatch {
  const pollMs = options.pollMs ?? 1000;
  const quietMs = options.quietMs ?? 1000;
  const watched = new Set<string>();
  let settling: NodeJS.Timeout | undefined;
  let closed = false;

  const snapshot = () => [...watched].map(fingerprint).join('|');

  // Looks again every quarter of the quiet time; reloads once a whole quiet time passed without a change.
  const settle = () => {
    if (settling !== undefined || closed) return;
    const step = Math.max(10, Math.floor(quietMs / 4));
    let last = snapshot();
    let quietSince = Date.now();
    const look = () => {
      if (closed) return;
      const now = snapshot();
      if (now !== last) {
        last = now;
        quietSince = Date.now();
      }
      if (Date.now() - quietSince >= quietMs) {
        settling = undefined;
        onSettled();
        return;
      }
      settling = setTimeout(look, step);
    };
    settling = setTimeout(look, step);
  };

  const add = (paths: readonly string[]) => {
    for (const file of paths) {
      if (watched.has(file)) continue;
      watched.add(file);
      watchFile(file, { interval: pollMs, persistent: false }, (current, previous) => {
        if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
        settle();
      });
    }
  };
  add(files);

  return {
    add,
    close: () => {
      closed = true;
      clearTimeout(settling);
      for (const file of watched) unwatchFile(file);
    },
  };
}
