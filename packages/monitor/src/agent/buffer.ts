/**
 * The agent's buffer on disk. Every result is written here before it is sent and deleted once the server has
 * acknowledged it, so results outlive both a server that cannot be reached and an agent that is killed: after
 * `kill -9`, only what had not been written yet is lost (what the agent had taken in the last second).
 *
 * The folder holds append-only segments, `<sequence>.jsonl`, one result per line as `POST /api/v1/results` takes it
 * (already serialized: what is sent is what was written). New results go to the open segment; the sender takes the
 * oldest segment — sealing it, so that newer results go to a new one — sends it, and deletes it once all of it is
 * acknowledged. Results are therefore sent in the order they were taken, old ones before new ones.
 *
 * Bounded by `maxBytes`: beyond, the oldest segments are deleted and what they held is counted (and reported, by the
 * caller). A line that a kill cut short is skipped when its segment is read. One agent at a time uses a folder (a
 * lock file holds its process id), and a folder keeps the results of one location.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

const SEGMENT = /^(\d{12})\.jsonl$/;
const LOCK_FILE = 'agent.lock';
const LOCATION_FILE = 'location';
/** A segment is rolled over at this size (or less, for a small buffer: it is the unit that is dropped when full). */
const SEGMENT_BYTES_MAX = 1024 * 1024;

export interface BufferOptions {
  dir: string;
  /** Bytes kept at most; beyond, the oldest results are dropped. */
  maxBytes: number;
  /** The agent's location: a folder keeps one location's results. */
  location: string;
  /** The oldest results were dropped to stay within `maxBytes`. Must not throw. */
  onDrop?: (count: number) => void;
}

/** A segment the sender works on: its lines, and how many of them the server has acknowledged. */
export interface HeldSegment {
  readonly name: string;
  /** Serialized results, oldest first (the sender removes those the server refused). */
  readonly lines: string[];
  /** Lines acknowledged so far (from the start). */
  sent: number;
  /** Deleted to stay within the bound while the sender held it: send nothing more of it. */
  dropped: boolean;
  /** Lines of it that could not be read (cut short by a kill while being written). */
  readonly unreadable: number;
}

interface SegmentFile {
  seq: number;
  name: string;
  bytes: number;
  /** Complete lines (results) in it. */
  count: number;
  /** No longer appended to: the sender took it, or it is from an earlier run. */
  sealed: boolean;
  held?: HeldSegment;
}

export interface BufferStats {
  /** Results waiting to be acknowledged. */
  results: number;
  bytes: number;
  segments: number;
}

/** Whether a process with this id is running (EPERM: it is, under another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function countLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

export class ResultBuffer {
  private readonly segments: SegmentFile[] = [];
  private nextSeq = 1;
  private total = 0;
  /** Every change of the folder, one after the other. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly segmentBytes: number;

  private constructor(private readonly options: BufferOptions) {
    this.segmentBytes = Math.max(4096, Math.min(SEGMENT_BYTES_MAX, Math.floor(options.maxBytes / 8)));
  }

  /** Opens (or creates) the folder: takes its lock, and finds the results an earlier run left. */
  static async open(options: BufferOptions): Promise<ResultBuffer> {
    const buffer = new ResultBuffer(options);
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    buffer.lock();
    try {
      await buffer.load();
    } catch (error) {
      buffer.unlock();
      throw error;
    }
    return buffer;
  }

  get dir(): string {
    return this.options.dir;
  }

  stats(): BufferStats {
    return {
      results: this.segments.reduce((sum, file) => sum + (file.held ? file.held.lines.length - file.held.sent : file.count), 0),
      bytes: this.total,
      segments: this.segments.length,
    };
  }

  /** Appends results (serialized, one per line) to the open segment; resolves once written. */
  append(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return this.serial(async () => {
      let open = this.segments.at(-1);
      if (open === undefined || open.sealed || open.bytes >= this.segmentBytes) {
        const seq = this.nextSeq++;
        open = { seq, name: `${String(seq).padStart(12, '0')}.jsonl`, bytes: 0, count: 0, sealed: false };
        this.segments.push(open);
      }
      const data = `${lines.join('\n')}\n`;
      await appendFile(path.join(this.options.dir, open.name), data, { mode: 0o600 });
      const bytes = Buffer.byteLength(data);
      open.bytes += bytes;
      open.count += lines.length;
      this.total += bytes;
      await this.keepWithinBound();
    });
  }

  /**
   * The oldest results not yet acknowledged, sealed (newer results go to another segment): the same segment again
   * until `acknowledge` or until it is dropped. Undefined when there is nothing to send.
   */
  oldest(): Promise<HeldSegment | undefined> {
    return this.serial(async () => {
      const file = this.segments[0];
      if (file === undefined) return undefined;
      file.sealed = true;
      if (file.held !== undefined) return file.held;
      let text: string;
      try {
        text = await readFile(path.join(this.options.dir, file.name), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        text = '';
      }
      const lines: string[] = [];
      let unreadable = 0;
      for (const line of text.split('\n')) {
        if (line === '') continue;
        try {
          JSON.parse(line);
          lines.push(line);
        } catch {
          unreadable++;
        }
      }
      file.held = { name: file.name, lines, sent: 0, dropped: false, unreadable };
      return file.held;
    });
  }

  /** The server has all of this segment (or refused what is left of it): it goes. */
  acknowledge(held: HeldSegment): Promise<void> {
    return this.serial(async () => {
      const index = this.segments.findIndex((file) => file.held === held);
      if (index === -1) return;
      const [file] = this.segments.splice(index, 1);
      if (file === undefined) return;
      this.total -= file.bytes;
      await this.remove(file.name);
    });
  }

  /** Lets the folder go (its lock). What is buffered stays for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    this.unlock();
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the buffer is closed'));
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Over the bound: the oldest segments go (not the one being written). */
  private async keepWithinBound(): Promise<void> {
    let dropped = 0;
    while (this.total > this.options.maxBytes && this.segments.length > 1) {
      const file = this.segments.shift() as SegmentFile;
      this.total -= file.bytes;
      if (file.held !== undefined) {
        dropped += file.held.lines.length - file.held.sent;
        file.held.dropped = true;
      } else dropped += file.count;
      await this.remove(file.name);
    }
    if (dropped > 0) this.options.onDrop?.(dropped);
  }

  private async remove(name: string): Promise<void> {
    try {
      await unlink(path.join(this.options.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  private async load(): Promise<void> {
    const { dir, location } = this.options;
    const names = (await readdir(dir)).filter((name) => SEGMENT.test(name)).sort();
    const locationFile = path.join(dir, LOCATION_FILE);
    const stored = await readFile(locationFile, 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    );
    if (stored !== undefined && stored !== location && names.length > 0) {
      throw new Error(
        `${dir} holds results of location "${stored}" not sent yet: give this agent (location "${location}") a buffer folder of its own (--buffer DIR)`,
      );
    }
    if (stored !== location) await writeFile(locationFile, `${location}\n`, { mode: 0o600 });
    for (const name of names) {
      const seq = Number(SEGMENT.exec(name)?.[1]);
      const file = path.join(dir, name);
      const [{ size }, text] = await Promise.all([stat(file), readFile(file, 'utf8')]);
      this.segments.push({ seq, name, bytes: size, count: countLines(text), sealed: true });
      this.total += size;
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
    }
  }

  /** Two agents on one folder would send each other's results twice and out of order: the second is refused. */
  private lock(): void {
    const file = path.join(this.options.dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      let pid = Number.NaN;
      try {
        pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      } catch {
        // Unreadable: taken as stale.
      }
      if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
        throw new Error(`another vigil agent (pid ${pid}) uses the buffer folder ${this.options.dir}: give each agent a folder of its own (--buffer DIR)`);
      }
      // Left by an agent that was killed: taken over.
      try {
        unlinkSync(file);
      } catch {
        // Gone meanwhile.
      }
    }
    throw new Error(`cannot take the buffer folder ${this.options.dir}: its lock file ${LOCK_FILE} keeps coming back`);
  }

  private unlock(): void {
    try {
      unlinkSync(path.join(this.options.dir, LOCK_FILE));
    } catch {
      // Already gone.
    }
  }
}
