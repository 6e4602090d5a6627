import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { MetadataReadError, type MetadataFailureKind } from './errors';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type TagReadResult } from './read-tags';

/**
 * Reads tags on worker threads. Compared with calling readTags in the service's own thread:
 * - the event loop never waits for parsing, so health checks, NATS heartbeats and `working()` calls
 *   stay on time;
 * - workers read with blocking calls, which cost a fraction of asynchronous ones, and use every core;
 * - the time limit is hard: a worker still busy after the limit (a parser stuck in a loop, a read
 *   hanging on a network share) is terminated and replaced, and its file fails with `timeout`;
 * - memory is capped per worker, so a file that makes the parser allocate without end fails with
 *   `too-large` instead of taking the service down.
 */
export interface TagReaderPoolOptions {
  /** Worker threads; default: the number of CPUs, at most 8. */
  workers?: number;
  maxBytes?: number;
  timeoutMs?: number;
  /** V8 old-generation limit per worker in MiB. Default 512. */
  maxMemoryMb?: number;
  /** Extra time after `timeoutMs` before a silent worker is terminated. Default 2 s. */
  graceMs?: number;
  /**
   * Files handed to each worker ahead of time, so a worker never waits for the main thread between
   * two files. Default 4.
   */
  prefetch?: number;
  /** Worker entry module (tests substitute misbehaving workers). */
  entry?: string;
}

/** A file to read, as sent to a worker. */
export interface PoolTask {
  id: number;
  path: string | Uint8Array;
  maxBytes: number;
  timeoutMs: number;
}

/** A worker's answer. */
export type PoolReply =
  | { id: number; ok: true; result: TagReadResult }
  | { id: number; ok: false; error: { kind: MetadataFailureKind | null; reason: string } };

interface Pending {
  task: PoolTask;
  resolve: (r: TagReadResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Files sent to this worker, in the order it reads them; the first is being read now. */
  inFlight: Pending[];
  /** Time limit of the file being read. */
  timer: NodeJS.Timeout | null;
  /** The worker has answered at least once (so it starts correctly). */
  answered: boolean;
}

/** Workers that die before their first answer this many times in a row mean the pool cannot work. */
const MAX_FAILED_STARTS = 3;

// Workers start with the parent's execArgv, so under `node -r @swc-node/register` TypeScript is
// already registered; elsewhere (Jest, a plain node) the bootstrap registers it first.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (!require.extensions['.ts']) require(workerData.register);
require(workerData.entry);
`;

export class TagReaderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private failedStarts = 0;
  private broken: Error | null = null;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly graceMs: number;
  private readonly maxMemoryMb: number;
  private readonly entry: string;
  private readonly prefetch: number;

  constructor(options: TagReaderPoolOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.graceMs = options.graceMs ?? 2000;
    this.maxMemoryMb = options.maxMemoryMb ?? 512;
    this.entry = options.entry ?? path.join(__dirname, 'tag-reader.worker.ts');
    this.prefetch = Math.max(1, options.prefetch ?? 4);
    const count = Math.max(1, options.workers ?? Math.min(8, availableParallelism()));
    for (let i = 0; i < count; i++) this.slots.push(this.spawn());
  }

  /** Reads one file; rejects with MetadataReadError exactly like readTags. */
  read(filePath: string | Buffer): Promise<TagReadResult> {
    if (this.closed) return Promise.reject(new Error('the tag reader pool is closed'));
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      const task: PoolTask = { id: this.nextId++, path: filePath, maxBytes: this.maxBytes, timeoutMs: this.timeoutMs };
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  /** Files waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Stops every worker; files not yet read are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const closedError = new Error('the tag reader pool is closed');
    for (const pending of this.queue.splice(0)) pending.reject(closedError);
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.timer) clearTimeout(slot.timer);
        for (const pending of slot.inFlight.splice(0)) pending.reject(closedError);
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { entry: this.entry, register: require.resolve('@swc-node/register') },
      resourceLimits: { maxOldGenerationSizeMb: this.maxMemoryMb },
    });
    const slot: Slot = { worker, inFlight: [], timer: null, answered: false };
    worker.on('message', (reply: PoolReply) => this.onReply(slot, reply));
    worker.on('error', (err) => this.onCrash(slot, err));
    worker.on('exit', (code) => {
      if (!this.closed && this.slots.includes(slot))
        this.onCrash(slot, new Error(`the tag reader worker exited with code ${code}`));
    });
    // An idle pool does not keep the process alive.
    worker.unref();
    return slot;
  }

  /** Hands queued files to the least loaded workers, up to `prefetch` each. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot: Slot | null = null;
      for (const s of this.slots)
        if (s.inFlight.length < this.prefetch && (!slot || s.inFlight.length < slot.inFlight.length)) slot = s;
      if (!slot) return;
      const pending = this.queue.shift()!;
      slot.inFlight.push(pending);
      if (slot.inFlight.length === 1) this.startClock(slot);
      slot.worker.postMessage(pending.task);
    }
  }

  /** The worker reads its files in order: the clock runs for the first one. */
  private startClock(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    if (slot.inFlight.length === 0) {
      slot.worker.unref();
      return;
    }
    slot.worker.ref();
    slot.timer = setTimeout(() => this.onTimeout(slot), this.timeoutMs + this.graceMs);
  }

  private onReply(slot: Slot, reply: PoolReply): void {
    const pending = slot.inFlight[0];
    if (!pending || pending.task.id !== reply.id) return;
    slot.inFlight.shift();
    slot.answered = true;
    this.failedStarts = 0;
    this.startClock(slot);
    if (reply.ok) pending.resolve(reply.result);
    else
      pending.reject(
        reply.error.kind ? new MetadataReadError(reply.error.kind, reply.error.reason) : new Error(reply.error.reason),
      );
    this.dispatch();
  }

  /**
   * Replaces a worker that died or hangs. The file it was reading fails with `error`; the files
   * handed to it in advance were not read yet and go back to the front of the queue.
   */
  private replace(slot: Slot, error: Error, crashed: boolean): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    void slot.worker.terminate();
    const [current, ...notStarted] = slot.inFlight.splice(0);
    current?.reject(error);
    this.queue.unshift(...notStarted);
    if (crashed && !slot.answered) this.failedStarts++;
    if (this.failedStarts >= MAX_FAILED_STARTS && !this.broken) {
      // Respawning a worker that cannot start would spin; fail loudly instead.
      this.broken = new Error(`the tag reader workers do not start: ${error.message}`);
      for (const queued of this.queue.splice(0)) queued.reject(this.broken);
      return;
    }
    if (!this.closed && !this.broken) {
      this.slots.push(this.spawn());
      this.dispatch();
    }
  }

  private onTimeout(slot: Slot): void {
    const seconds = (this.timeoutMs / 1000).toFixed(1);
    this.replace(
      slot,
      new MetadataReadError('timeout', `timed out: reading the tags took longer than ${seconds} s`),
      false,
    );
  }

  private onCrash(slot: Slot, err: Error): void {
    if (!this.slots.includes(slot)) return;
    const outOfMemory = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    this.replace(
      slot,
      outOfMemory
        ? new MetadataReadError(
            'too-large',
            `tag or header too large: reading it needed more than the ${this.maxMemoryMb} MiB of memory a reader may use`,
          )
        : new MetadataReadError(
            'corrupt',
            `corrupt: the tag reader crashed on this file (${err.message.slice(0, 300)})`,
          ),
      true,
    );
  }
}
