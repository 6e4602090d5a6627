import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FileIdentity } from './file-system';

/** A job for a file I/O worker (file-io.worker.js; paths are bytes). */
export type FileIoJob =
  | {
      type: 'copy';
      id: number;
      from: Buffer;
      to: Buffer;
      source: FileIdentity;
      /** The executor's own uid/gid and umask (a worker may not ask for the umask). */
      uid: number;
      gid: number;
      umask: number;
      /** Stop after the first chunk until the main thread has run its mid-copy hook. */
      pauseMidCopy: boolean;
      /** Create the destination's missing folders first (each fsynced in its parent). */
      ensureParents: boolean;
    }
  | { type: 'hash'; id: number; path: Buffer; expectedSize: number | null }
  | { type: 'many'; id: number; steps: FileIoStep[] }
  | { type: 'look'; id: number; source: Buffer; destination: Buffer }
  | { type: 'lstat'; id: number; path: Buffer };

/**
 * A small step of a batch, run by a worker with a blocking call: lstat (null when nothing is there); the
 * preflight look; claim (link `to` to `from`, after creating `to`'s missing folders when asked); publish
 * (link `to` to `from`, then drop the name `from`); unlink; fsync a folder.
 */
export type FileIoStep =
  | { do: 'lstat'; path: Buffer }
  | { do: 'look'; source: Buffer; destination: Buffer }
  | { do: 'claim'; from: Buffer; to: Buffer; ensureParents: boolean }
  | { do: 'publish'; from: Buffer; to: Buffer }
  | { do: 'unlink'; path: Buffer }
  | { do: 'fsync-dir'; path: Buffer };

/** How a step ended: its value, or its error (with its errno code; `linked` when a publish linked and then failed). */
export type FileIoStepResult<T = unknown> =
  { value: T; error?: undefined } | { value?: undefined; error: Error & { code?: string; linked?: boolean } };

/** What a preflight sees: both paths, and the destination's missing folders (outermost first). */
export interface Looks {
  src: FileIdentity | null;
  dst: FileIdentity | null;
  missing: Buffer[];
  /** The device of the nearest existing folder above the destination (where it would land). */
  dev: string | undefined;
}

export interface FileIoReply {
  id: number;
  /** The replies to a message of several jobs, in order. */
  replies?: FileIoReply[];
  midCopy?: true;
  result?:
    | { identity: FileIdentity; bytesCopied: number }
    | { identity: FileIdentity | null }
    | { hash: string; size: number }
    | { src: FileIdentity | null; dst: FileIdentity | null; missing: Uint8Array[]; dev: string | null };
  error?: { message: string; code?: string };
}

type JobInput<T> = T extends { id: number } ? Omit<T, 'id'> : never;

interface Pending {
  job: FileIoJob;
  midCopy?: () => Promise<void> | void;
  resolve: (r: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  control: Int32Array;
  /** The jobs of the message in hand (several when the queue was long, see pump()). */
  current: Pending[] | null;
  /** Ends a worker left idle (an executor between executions holds no threads). */
  idleTimer: NodeJS.Timeout | null;
}

/** Steps of a `many` call go to one worker until there are this many per worker. */
const MIN_STEPS_PER_MESSAGE = 8;

interface RawLooks {
  src: FileIdentity | null;
  dst: FileIdentity | null;
  missing: Uint8Array[];
  dev: string | null;
}

function looksFrom(r: RawLooks): Looks {
  return {
    src: r.src,
    dst: r.dst,
    missing: r.missing.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength)),
    dev: r.dev ?? undefined,
  };
}

/** At most this many queued jobs go to a worker in one message. */
const MAX_JOBS_PER_MESSAGE = 8;

function settle(pending: Pending, reply: FileIoReply): void {
  if (reply.error) pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
  else pending.resolve(reply.result);
}

/** An idle worker ends after this long. */
const IDLE_MS = 10_000;

/** The worker is plain JavaScript and starts without the parent's `-r @swc-node/register` (a second each). */
const WORKER = path.join(__dirname, 'file-io.worker.js');

const PAUSE = 0;
const STOP = 1;

/**
 * A few worker threads that copy and hash whole files, and look at an operation's paths, with blocking
 * calls, one file per message (a few files at a time overlap their I/O). Started on first use; idle workers do not keep the process alive.
 * A stop makes copies in progress fail between two chunks ("copy stopped"), so the caller rolls them back.
 */
export class FileIoPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private stopped = false;

  constructor(
    private readonly size: number,
    signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', () => {
      this.stopped = true;
      for (const s of this.slots) Atomics.store(s.control, STOP, 1);
    });
  }

  copy(
    from: Buffer,
    to: Buffer,
    source: FileIdentity,
    midCopy?: () => Promise<void> | void,
    { ensureParents = false }: { ensureParents?: boolean } = {},
  ): Promise<FileIdentity & { bytesCopied: number }> {
    const input: JobInput<Extract<FileIoJob, { type: 'copy' }>> = {
      type: 'copy',
      from,
      to,
      source,
      uid: process.getuid?.() ?? -1,
      gid: process.getgid?.() ?? -1,
      umask: UMASK,
      pauseMidCopy: !!midCopy,
      ensureParents,
    };
    return this.submit<{ identity: FileIdentity; bytesCopied: number }>(input, midCopy).then((r) => ({
      ...r.identity,
      bytesCopied: r.bytesCopied,
    }));
  }

  /** SHA-256 of a file; with `expectedSize`, a short read at that size ends it. */
  sha256(p: Buffer, expectedSize?: number): Promise<{ hash: string; size: number }> {
    return this.submit({ type: 'hash', path: p, expectedSize: expectedSize ?? null });
  }

  /** lstat (a final symlink not followed); null when nothing is there. */
  async lookAt(p: Buffer): Promise<FileIdentity | null> {
    return (await this.submit<{ identity: FileIdentity | null }>({ type: 'lstat', path: p })).identity;
  }

  /** lstat of an operation's source and destination and of the destination's folders, in one message. */
  async look(source: Buffer, destination: Buffer): Promise<Looks> {
    return looksFrom(await this.submit<RawLooks>({ type: 'look', source, destination }));
  }

  /**
   * Runs many small steps, spread over the workers (a message per worker, not a thread-pool round trip
   * per call): each step's own result or error, in order. Steps of one call may run in any order.
   */
  async many<T = unknown>(steps: FileIoStep[]): Promise<FileIoStepResult<T>[]> {
    if (!steps.length) return [];
    const parts = Math.min(this.size, Math.ceil(steps.length / MIN_STEPS_PER_MESSAGE));
    const indexes: number[][] = Array.from({ length: parts }, () => []);
    steps.forEach((_, i) => indexes[i % parts].push(i));
    const results: FileIoStepResult<T>[] = new Array(steps.length);
    await Promise.all(
      indexes.map(async (part) => {
        const replies = await this.submit<
          { value?: T; error?: { message: string; code?: string; linked?: boolean } }[]
        >({
          type: 'many',
          steps: part.map((i) => steps[i]),
        });
        replies.forEach((r, j) => {
          results[part[j]] = r.error
            ? { error: Object.assign(new Error(r.error.message), { code: r.error.code, linked: r.error.linked }) }
            : { value: r.value as T };
        });
      }),
    );
    return results;
  }

  /** lstat of many paths (null where nothing is there); a failed look rejects. */
  async lookAtMany(paths: Buffer[]): Promise<(FileIdentity | null)[]> {
    return (await this.many<FileIdentity | null>(paths.map((p) => ({ do: 'lstat', path: p })))).map((r) => {
      if (r.error) throw r.error;
      return r.value;
    });
  }

  /** The preflight looks of many operations, each with its own result or error. */
  async lookMany(pairs: { source: Buffer; destination: Buffer }[]): Promise<FileIoStepResult<Looks>[]> {
    const raw = await this.many<RawLooks>(pairs.map((p) => ({ do: 'look', ...p })));
    return raw.map((r) => (r.error ? r : { value: looksFrom(r.value) }));
  }

  /** fsyncs folders, spread over the workers (a journaling filesystem commits them together). */
  async fsyncDirs(dirs: Buffer[]): Promise<void> {
    for (const r of await this.many(dirs.map((d) => ({ do: 'fsync-dir', path: d })))) if (r.error) throw r.error;
  }

  /** Starts every worker now (an execution is about to begin), so the first files do not wait for them. */
  warm(): void {
    while (!this.stopped && this.slots.length < this.size) {
      const slot = this.spawn();
      slot.idleTimer = setTimeout(() => this.retire(slot), IDLE_MS).unref();
    }
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    for (const s of slots) if (s.idleTimer) clearTimeout(s.idleTimer);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private submit<R>(input: JobInput<FileIoJob>, midCopy?: () => Promise<void> | void): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const job = { ...input, id: this.nextId++ } as FileIoJob;
      this.queue.push({ job, midCopy, resolve: resolve as (r: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.current);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      // A long queue (a batch's copies, say) goes out a few jobs per message, a share for each worker: one
      // message and one reply per few files instead of per file (each wakes a thread), the workers still
      // evenly loaded. A copy that pauses mid-way for its hook goes alone.
      const share = Math.min(MAX_JOBS_PER_MESSAGE, Math.max(1, Math.floor(this.queue.length / this.size)));
      const jobs = [this.queue.shift()!];
      while (jobs.length < share && this.queue.length && !this.queue[0].midCopy && !jobs[0].midCopy) {
        jobs.push(this.queue.shift()!);
      }
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      slot.current = jobs;
      Atomics.store(slot.control, PAUSE, 0);
      slot.worker.ref(); // a job in hand keeps the process alive
      if (jobs.length === 1) slot.worker.postMessage(jobs[0].job);
      else slot.worker.postMessage({ type: 'jobs', id: this.nextId++, jobs: jobs.map((j) => j.job) });
    }
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER, { execArgv: [] });
    const control = new Int32Array(new SharedArrayBuffer(8));
    if (this.stopped) Atomics.store(control, STOP, 1);
    const slot: Slot = { worker, control, current: null, idleTimer: null };
    worker.postMessage({ type: 'control', buffer: control.buffer });
    worker.on('message', (reply: FileIoReply) => void this.onReply(slot, reply));
    worker.on('error', (err) => this.onExit(slot, err));
    worker.on('exit', (code) => this.onExit(slot, new Error(`a file I/O worker exited with code ${code}`)));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private async onReply(slot: Slot, reply: FileIoReply): Promise<void> {
    const current = slot.current;
    if (!current) return;
    if (reply.replies) {
      slot.current = null;
      slot.worker.unref();
      slot.idleTimer = setTimeout(() => this.retire(slot), IDLE_MS).unref();
      current.forEach((pending, i) => settle(pending, reply.replies![i]));
      this.pump();
      return;
    }
    const pending = current[0];
    if (current.length !== 1 || pending.job.id !== reply.id) return;
    if (reply.midCopy) {
      try {
        await pending.midCopy?.();
      } finally {
        Atomics.store(slot.control, PAUSE, 0);
        Atomics.notify(slot.control, PAUSE);
      }
      return;
    }
    slot.current = null;
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => this.retire(slot), IDLE_MS).unref();
    settle(pending, reply);
    this.pump();
  }

  private retire(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i < 0 || slot.current) return;
    this.slots.splice(i, 1);
    void slot.worker.terminate();
  }

  private onExit(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    for (const pending of slot.current ?? []) pending.reject(err);
    slot.current = null;
    this.pump();
  }
}

/** The process's umask (read once: process.umask() without an argument is deprecated, so set it back). */
const UMASK = (() => {
  const m = process.umask(0o022);
  process.umask(m);
  return m;
})();
