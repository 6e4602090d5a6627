import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AnalysisError } from './errors';
import type { WorkerCall, WorkerReply } from './essentia/worker';
import type { WindowRequest, WindowResult } from './window';

/**
 * A small pool of worker threads, each owning one essentia.js instance.
 *
 * Why threads: the WASM heap of essentia.js only grows (and is capped at 2 GiB), and a hung or aborted
 * WASM call cannot be interrupted from JS. A thread can be ended at any time, which frees its heap and
 * stops its CPU work, so the pool ends a thread after `maxCallsPerWorker` calls, when its heap passes
 * `maxHeapBytes`, when a call overruns `callTimeoutMs`, on cancellation, and after any Essentia exception
 * (exceptions leak their C++ object). Idle threads are unref'd (they never keep a process alive) and
 * ended after `idleMs`.
 */
export interface PoolOptions {
  /** Threads working at once. Default 1 (analysis is CPU-bound; run more pools or raise it per core). */
  size?: number;
  /** End a thread after this many windows. Default 200 (100 min of audio in 30 s windows). */
  maxCallsPerWorker?: number;
  /** End a thread once its WASM heap is larger than this. Default 512 MiB. */
  maxHeapBytes?: number;
  /** A single window taking longer than this ends its thread and fails the window. Default 60 s. */
  callTimeoutMs?: number;
  /** End idle threads after this long. Default 30 s. */
  idleMs?: number;
  /** Worker script (tests replace it); default the essentia worker next to this file. */
  workerScript?: string;
}

interface Task {
  id: number;
  request: WindowRequest;
  resolve: (r: WindowResult) => void;
  reject: (e: Error) => void;
  signal?: AbortSignal;
  timeoutMs: number;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  calls: number;
  task?: Task;
  timer?: NodeJS.Timeout;
  idleTimer?: NodeJS.Timeout;
  retired: boolean;
}

export interface PoolStats {
  threadsStarted: number;
  threadsRecycled: number;
  windowsAnalysed: number;
  largestHeapBytes: number;
}

let nextId = 1;

export class EssentiaPool {
  private readonly size: number;
  private readonly maxCalls: number;
  private readonly maxHeap: number;
  private readonly callTimeoutMs: number;
  private readonly idleMs: number;
  private readonly script: string;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private closed = false;
  private readonly counters: PoolStats = {
    threadsStarted: 0,
    threadsRecycled: 0,
    windowsAnalysed: 0,
    largestHeapBytes: 0,
  };

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, options.size ?? 1);
    this.maxCalls = options.maxCallsPerWorker ?? 200;
    this.maxHeap = options.maxHeapBytes ?? 512 * 1024 * 1024;
    this.callTimeoutMs = options.callTimeoutMs ?? 60_000;
    this.idleMs = options.idleMs ?? 30_000;
    this.script = options.workerScript ?? path.join(__dirname, 'essentia', `worker${path.extname(__filename)}`);
  }

  stats(): PoolStats {
    return { ...this.counters };
  }

  /** Analyses one window in a worker thread. The window's buffer is transferred (unusable afterwards). */
  run(request: WindowRequest, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<WindowResult> {
    if (this.closed) return Promise.reject(new AnalysisError('worker-failed', 'the analysis pool is closed'));
    if (options.signal?.aborted) return Promise.reject(new AnalysisError('aborted', 'analysis aborted'));
    return new Promise<WindowResult>((resolve, reject) => {
      const task: Task = {
        id: nextId++,
        request,
        resolve,
        reject,
        signal: options.signal,
        timeoutMs: Math.min(options.timeoutMs ?? Infinity, this.callTimeoutMs),
      };
      if (task.signal) {
        task.onAbort = () => this.cancel(task, new AnalysisError('aborted', 'analysis aborted'));
        task.signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.pump();
    });
  }

  /** Ends every thread; pending calls are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0))
      this.settle(t, new AnalysisError('worker-failed', 'the analysis pool was closed'));
    await Promise.all(
      this.slots.slice().map((s) => this.retire(s, new AnalysisError('worker-failed', 'the analysis pool was closed'))),
    );
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.task && !s.retired);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const task = this.queue.shift()!;
      this.dispatch(slot, task);
    }
  }

  private spawn(): Slot {
    const isTs = this.script.endsWith('.ts');
    // Under ts sources (tests, `node -r @swc-node/register`) the thread registers the same compiler first.
    const bootstrap = isTs
      ? `require(${JSON.stringify(require.resolve('@swc-node/register'))}); require(${JSON.stringify(this.script)});`
      : `require(${JSON.stringify(this.script)});`;
    const worker = new Worker(bootstrap, { eval: true, stdout: false, stderr: false });
    const slot: Slot = { worker, calls: 0, retired: false };
    this.counters.threadsStarted++;
    worker.on('message', (msg: WorkerReply | { ready: true }) => {
      if (!('ready' in msg)) this.onReply(slot, msg);
    });
    worker.on('error', (e) =>
      this.retire(slot, new AnalysisError('worker-failed', `analysis thread failed: ${e.message}`, { cause: e })),
    );
    worker.on('exit', (code) => {
      if (!slot.retired)
        void this.retire(slot, new AnalysisError('worker-failed', `analysis thread exited (code ${code})`));
    });
    this.slots.push(slot);
    return slot;
  }

  private dispatch(slot: Slot, task: Task): void {
    slot.task = task;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.worker.ref();
    if (Number.isFinite(task.timeoutMs)) {
      slot.timer = setTimeout(() => {
        void this.retire(
          slot,
          new AnalysisError('timeout', `analysing a window took longer than ${task.timeoutMs} ms`),
        );
      }, task.timeoutMs);
    }
    const call: WorkerCall = { id: task.id, request: task.request };
    slot.worker.postMessage(call, [task.request.samples.buffer as ArrayBuffer]);
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    const task = slot.task;
    if (!task || task.id !== reply.id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.task = undefined;
    slot.calls++;
    if (reply.ok) {
      this.counters.windowsAnalysed++;
      this.counters.largestHeapBytes = Math.max(this.counters.largestHeapBytes, reply.result.heapBytes);
      this.settle(task, undefined, reply.result);
      if (slot.calls >= this.maxCalls || reply.result.heapBytes > this.maxHeap || reply.result.errors.length > 0) {
        void this.retire(slot);
      } else {
        this.idle(slot);
      }
    } else {
      this.settle(task, new AnalysisError('worker-failed', reply.error));
      void this.retire(slot);
    }
    this.pump();
  }

  private idle(slot: Slot): void {
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => void this.retire(slot), this.idleMs);
    slot.idleTimer.unref();
  }

  private cancel(task: Task, error: AnalysisError): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(task, error);
      return;
    }
    const slot = this.slots.find((s) => s.task === task);
    if (slot) void this.retire(slot, error); // stops the CPU work at once
  }

  private async retire(slot: Slot, error?: AnalysisError): Promise<void> {
    if (slot.retired) return;
    slot.retired = true;
    if (slot.timer) clearTimeout(slot.timer);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    this.counters.threadsRecycled++;
    const task = slot.task;
    slot.task = undefined;
    if (task) this.settle(task, error ?? new AnalysisError('worker-failed', 'analysis thread ended'));
    slot.worker.removeAllListeners('message');
    slot.worker.on('error', () => undefined);
    await slot.worker.terminate().catch(() => undefined);
    if (!this.closed) this.pump();
  }

  private settle(task: Task, error?: Error, result?: WindowResult): void {
    if (task.signal && task.onAbort) task.signal.removeEventListener('abort', task.onAbort);
    if (error) task.reject(error);
    else task.resolve(result!);
  }
}

let shared: EssentiaPool | undefined;

/** The process-wide pool analyzeFile uses unless given one (size from CRATEFLOW_ANALYSIS_THREADS, default 1). */
export function sharedPool(): EssentiaPool {
  shared ??= new EssentiaPool({ size: Number(process.env.CRATEFLOW_ANALYSIS_THREADS) || 1 });
  return shared;
}

/** Ends the shared pool's threads (for shutdown hooks and tests). */
export async function closeSharedPool(): Promise<void> {
  const p = shared;
  shared = undefined;
  await p?.close();
}
