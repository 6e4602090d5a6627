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
    }
  | { type: 'hash'; id: number; path: Buffer; expectedSize: number | null }
  | { type: 'look'; id: number; source: Buffer; destination: Buffer }
  | { type: 'lstat'; id: number; path: Buffer };

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
  current: Pending | null;
  /** Ends a worker left idle (an executor between executions holds no threads). */
  idleTimer: NodeJS.Timeout | null;
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
    const r = await this.submit<{
      src: FileIdentity | null;
      dst: FileIdentity | null;
      missing: Uint8Array[];
      dev: string | null;
    }>({ type: 'look', source, destination });
    return {
      src: r.src,
      dst: r.dst,
      missing: r.missing.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength)),
      dev: r.dev ?? undefined,
    };
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
      const next = this.queue.shift()!;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      slot.current = next;
      Atomics.store(slot.control, PAUSE, 0);
      slot.worker.ref(); // a job in hand keeps the process alive
      slot.worker.postMessage(next.job);
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
    const pending = slot.current;
    if (!pending || pending.job.id !== reply.id) return;
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
    if (reply.error) pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    else pending.resolve(reply.result);
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
    slot.current?.reject(err);
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
