import { Subjects, type PayloadOf } from '@crateflow/contracts';
import type { JournalRepository } from '../journal/journal.repository';
import type { JournalOperation } from '../journal/operation';
import { FileProtocol, type Outcome } from '../protocol/file-protocol';
import type { ProtocolHooks } from '../protocol/fault-hooks';
import { removeEmptyFolders } from '../protocol/file-system';
import { dirnameBytes, isWithinBytes, toPathBytes } from '../protocol/path-bytes';

type Progressed = PayloadOf<typeof Subjects.executionProgressed>;
type Finished = PayloadOf<typeof Subjects.executionFinished>;
type Relocated = PayloadOf<typeof Subjects.fileRelocated>;

/** Where the runner's news goes (NATS in the service; a list in tests). */
export interface ExecutionEvents {
  progressed(p: Progressed): Promise<void>;
  finished(p: Finished): Promise<void>;
  relocated(p: Relocated, msgId: string): Promise<void>;
}

export interface RunnerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ExecutionRunnerOptions {
  /** Counts finished files and bytes. */
  onFinished?: (outcome: Outcome, bytes: number) => void;
  /** Counts interrupted operations that the start-up reconciliation ended, by how each ended. */
  onReconciled?: (outcome: Outcome) => void;
  hooks?: ProtocolHooks;
  /** Minimum time between two progress events of one execution. */
  progressIntervalMs?: number;
  /** Where copies and hard links go (named in their events, for their `files` rows). */
  outputRoot?: string | null;
}

/**
 * Operations run together: same-filesystem claims, and copies, in a batch share one journal commit per
 * phase and one fsync per folder (a database commit or a folder fsync can take tens of milliseconds on a busy
 * machine). A stop rolls back copies in progress, so a large batch still stops quickly.
 */
const BATCH_SIZE = 256;
/** The first batch is smaller, so copying starts while the next batches are looked at. */
const FIRST_BATCH_SIZE = 32;
/**
 * Batches run this many at a time: while one waits for a journal commit or a folder fsync, the file
 * workers copy and hash the next one's files. Each batch keeps its own write-ahead order.
 */
const BATCHES_IN_FLIGHT = 2;
/** ... and a batch holds at most this many bytes, so progress keeps coming while long mixes are copied. */
const BATCH_BYTES = 256 * 1024 * 1024;

/** Relocation events whose acknowledgements are awaited together. */
const ANNOUNCE_WAVE = 64;

const RELOCATED_ACTION: Record<string, Relocated['action']> = {
  move: 'moved',
  copy: 'copied',
  hardlink: 'linked',
  unpublish: 'unpublished',
};

/**
 * Runs executions one at a time in the background, file by file under the protocol. At start-up it first
 * reconciles whatever a crash left half-done, owes no event (outbox), then resumes. A stop request lets
 * the file in hand finish (or rolls a long copy back) and leaves the rest for the next start.
 */
export class ExecutionRunner {
  private readonly stopController = new AbortController();
  private readonly protocol: FileProtocol;
  private readonly queue: string[] = [];
  private loop: Promise<void> | null = null;

  constructor(
    private readonly journal: JournalRepository,
    private readonly events: ExecutionEvents,
    private readonly logger: RunnerLogger,
    private readonly options: ExecutionRunnerOptions = {},
  ) {
    this.protocol = new FileProtocol(journal, { hooks: options.hooks, stopSignal: this.stopController.signal });
  }

  get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Reconciles every interrupted operation; returns how each ended. */
  async reconcile(): Promise<Record<Outcome, number>> {
    const counts: Record<Outcome, number> = { done: 0, failed: 0, pending: 0 };
    for (const op of await this.journal.interruptedOperations()) {
      const outcome = await this.protocol.reconcile(op);
      counts[outcome]++;
      this.options.onReconciled?.(outcome);
      this.logger.info({ operation: op.id, phase: op.phase, outcome }, 'reconciled an interrupted operation');
    }
    return counts;
  }

  /** Start-up: reconcile, announce what is owed, then resume queued and interrupted executions. */
  async start(): Promise<void> {
    const reconciled = await this.reconcile();
    if (reconciled.done + reconciled.failed + reconciled.pending) this.logger.info(reconciled, 'journal reconciled');
    await this.announceOwed();
    for (const id of await this.journal.resumableExecutions()) this.enqueue(id);
  }

  enqueue(executionId: string): void {
    if (this.stopping || this.queue.includes(executionId)) return;
    this.queue.push(executionId);
    this.loop ??= this.drain().finally(() => {
      this.loop = null;
    });
  }

  /** Resolves when nothing is queued or running (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  /** Stop: the file in hand finishes (a copy in progress is rolled back); the rest resumes after restart. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.idle();
    await this.protocol.close();
  }

  private async drain(): Promise<void> {
    while (this.queue.length && !this.stopping) {
      const id = this.queue[0];
      try {
        await this.runExecution(id);
      } catch (e) {
        this.logger.error({ execution: id, error: (e as Error).message }, 'execution interrupted by an error');
        if (!this.stopping)
          await this.journal.setExecutionStatus(id, 'failed', (e as Error).message).catch(() => undefined);
      }
      this.queue.shift();
    }
  }

  private async runExecution(executionId: string): Promise<void> {
    const execution = await this.journal.execution(executionId);
    if (!execution || !['queued', 'running'].includes(execution.status)) return;
    this.protocol.warm(); // the file workers start while the operations are read
    await this.journal.setExecutionStatus(executionId, 'running');
    const ops = await this.journal.operationsOf(executionId);
    const byId = new Map(ops.map((o) => [o.id, o]));
    const started = Date.now();
    const totals = await this.journal.counts(executionId);
    const bytesAtStart = totals.bytesDone;
    let bytesDone = totals.bytesDone;
    let lastReport = 0;
    let recent: Progressed['files'] = [];
    const report = async (force: boolean) => {
      const now = Date.now();
      if (!force && now - lastReport < (this.options.progressIntervalMs ?? 250)) return;
      lastReport = now;
      const c = await this.journal.counts(executionId);
      const elapsed = (now - started) / 1000;
      const rate = elapsed > 0 ? (bytesDone - bytesAtStart) / elapsed : 0;
      const remaining = c.bytesTotal - c.bytesDone;
      await this.events
        .progressed({
          executionId,
          counts: {
            total: ops.length,
            done: c.done,
            failed: c.failed,
            skipped: c.skipped,
            pending: c.pending + c.running,
            bytesDone: c.bytesDone,
            bytesTotal: c.bytesTotal,
          },
          bytesPerSecond: rate,
          etaSeconds: rate > 0 ? remaining / rate : null,
          files: recent.slice(-200),
        })
        .catch((e: Error) => this.logger.warn({ error: e.message }, 'progress event not published'));
      recent = [];
      await this.announceOwed();
    };

    const pending = ops.filter((o) => o.status === 'pending');
    // Batches in flight, oldest first. While one waits for a journal commit or a folder fsync, the next
    // one's files are looked at, copied and hashed (each batch keeps its own write-ahead order).
    const inFlight: { batch: JournalOperation[]; outcomes: Promise<Outcome[]> }[] = [];
    /** The in-flight batch of each operation (a companion waits for its media file's batch). */
    const running = new Map<string, Promise<Outcome[]>>();
    const settleOldest = async () => {
      const { batch, outcomes } = inFlight[0];
      let results: Outcome[];
      try {
        results = await outcomes;
      } finally {
        inFlight.shift();
        for (const op of batch) running.delete(op.id);
      }
      for (const [j, op] of batch.entries()) {
        const outcome = results[j];
        if (outcome === 'done') bytesDone += op.expected.size;
        this.options.onFinished?.(outcome, outcome === 'done' ? op.expected.size : 0);
        recent.push({
          operationId: op.id,
          fileId: op.fileId,
          path: op.destinationPath,
          status: outcome,
          ...(op.error && outcome !== 'done' ? { error: op.error.slice(0, 2000) } : {}),
        });
      }
      await report(false);
    };
    try {
      for (let i = 0; i < pending.length;) {
        if (this.stopping) break; // stays `running`; the next start resumes it
        // A batch ends before a companion whose media file is in it (the companion waits for its outcome).
        const batch: JournalOperation[] = [];
        const inBatch = new Set<string>();
        let batchBytes = 0;
        const limit = inFlight.length || i ? BATCH_SIZE : FIRST_BATCH_SIZE;
        while (i < pending.length && batch.length < limit && batchBytes < BATCH_BYTES) {
          const op = pending[i];
          if (op.parentOperationId && inBatch.has(op.parentOperationId)) break;
          if (op.parentOperationId && running.has(op.parentOperationId)) {
            if (batch.length) break;
            while (running.has(op.parentOperationId)) await settleOldest();
            // A stop rolled the media file back to pending, perhaps: the companion waits for the next start.
            if (this.stopping) break;
          }
          const parent = op.parentOperationId ? byId.get(op.parentOperationId) : undefined;
          i++;
          if (parent && parent.status !== 'done') {
            await this.journal.record([
              {
                op,
                phase: 'failed',
                patch: {
                  status: 'skipped',
                  error: 'its media file was not moved, so the companion stays with it',
                  errorCode: 'parent-not-moved',
                },
              },
            ]);
            recent.push({
              operationId: op.id,
              fileId: op.fileId,
              path: op.destinationPath,
              status: 'skipped',
              error: op.error ?? undefined,
            });
            continue;
          }
          batch.push(op);
          batchBytes += op.expected.size;
          inBatch.add(op.id);
        }
        if (!batch.length) continue;
        const outcomes = this.protocol.runBatch(batch);
        outcomes.catch(() => undefined); // awaited in turn below; its error is not unhandled meanwhile
        inFlight.push({ batch, outcomes });
        for (const op of batch) running.set(op.id, outcomes);
        while (inFlight.length >= BATCHES_IN_FLIGHT) await settleOldest();
      }
      while (inFlight.length) await settleOldest();
    } catch (e) {
      // Nothing may still be running when the execution is marked failed: let the other batches end first.
      await Promise.allSettled(inFlight.map((f) => f.outcomes));
      throw e;
    }
    if (this.stopping) return;

    const foldersRemoved =
      execution.options.removeEmptyFolders === false ? 0 : await this.removeEmptiedFolders(ops, execution.options);
    await this.journal.setExecutionStatus(executionId, 'completed');
    await report(true);
    const c = await this.journal.counts(executionId);
    await this.events
      .finished({
        executionId,
        status: 'completed',
        counts: {
          total: ops.length,
          done: c.done,
          failed: c.failed,
          skipped: c.skipped,
          pending: c.pending + c.running,
          bytesDone: c.bytesDone,
          bytesTotal: c.bytesTotal,
        },
        foldersRemoved,
      })
      .catch((e: Error) => this.logger.warn({ error: e.message }, 'finished event not published'));
  }

  /** Source folders emptied by this execution, up to (not including) the library root that holds them. */
  private async removeEmptiedFolders(ops: JournalOperation[], options: Record<string, unknown>): Promise<number> {
    const roots = ((options.roots as string[] | undefined) ?? []).map(toPathBytes);
    const candidates = new Map<string, Buffer>();
    for (const op of ops) {
      if (op.status !== 'done') continue;
      const emptied = op.kind === 'move' ? op.source : op.kind === 'unpublish' ? op.destination : null;
      const created = op.createdDirs; // folders we created for a destination that an undo emptied again
      for (const start of [emptied ? dirnameBytes(emptied) : null, ...created]) {
        let dir = start;
        while (dir) {
          const root = roots.find((r) => isWithinBytes(r, dir!) && !r.equals(dir!));
          if (!root) break;
          candidates.set(dir.toString('hex'), dir);
          dir = dirnameBytes(dir);
        }
      }
    }
    return (await removeEmptyFolders([...candidates.values()])).length;
  }

  /**
   * Publishes the relocation event of every finished operation that still owes one: read 500 at a time,
   * published a wave at a time (up to 64 acknowledgements awaited together, never two events of one file
   * in the same wave, so a file's events keep their order), marked in one statement.
   */
  async announceOwed(): Promise<void> {
    for (;;) {
      const owed = await this.journal.unannounced(500);
      if (!owed.length) return;
      const announced: string[] = [];
      let rest = owed;
      while (rest.length) {
        const wave: JournalOperation[] = [];
        const later: JournalOperation[] = [];
        const files = new Set<string>();
        for (const op of rest) {
          const key = op.fileId ?? op.id;
          if (wave.length < ANNOUNCE_WAVE && !files.has(key)) {
            files.add(key);
            wave.push(op);
          } else later.push(op);
        }
        const results = await Promise.allSettled(wave.map((op) => this.announce(op)));
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        wave.forEach((op, i) => results[i].status === 'fulfilled' && announced.push(op.id));
        if (failed) {
          this.logger.warn({ error: (failed.reason as Error).message }, 'relocation event not published; will retry');
          await this.journal.markAnnounced(announced);
          return;
        }
        rest = later;
      }
      await this.journal.markAnnounced(announced);
    }
  }

  private async announce(op: JournalOperation): Promise<void> {
    if (!op.fileId || !op.result || !op.result.ino) return;
    const action = op.undoOfOperationId && op.kind === 'move' ? 'restored' : RELOCATED_ACTION[op.kind];
    const target = op.kind === 'unpublish' ? op.source : op.destination;
    await this.events.relocated(
      {
        fileId: op.fileId,
        executionId: op.executionId,
        operationId: op.id,
        action,
        path: op.kind === 'unpublish' ? op.sourcePath : op.destinationPath,
        pathKey: target.toString('base64'),
        size: op.result.size,
        mtimeMs: op.result.mtimeMs,
        contentHash: op.contentHash,
        // A copy is a file of its own: its row's id is its operation's; an undo's names the copy it removed.
        ...(op.kind === 'copy' || op.kind === 'hardlink'
          ? { copyFileId: op.id, ...(this.options.outputRoot ? { copyRoot: this.options.outputRoot } : {}) }
          : op.kind === 'unpublish' && op.undoOfOperationId
            ? { copyFileId: op.undoOfOperationId }
            : {}),
      },
      `relocated:${op.id}`,
    );
  }
}
