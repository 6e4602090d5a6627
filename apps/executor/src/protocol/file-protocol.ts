import { promises as fsp } from 'node:fs';
import type { JournalRepository } from '../journal/journal.repository';
import type { DestinationResult, JournalOperation, OperationPatch, Phase } from '../journal/operation';
import { NO_HOOKS, type ProtocolHooks } from './fault-hooks';
import { OperationFailure, failureFrom, linkUnsupported } from './failures';
import { FileIoPool, type Looks } from './file-io-pool';
import {
  createPlaceholder,
  eachLimited,
  ensureParentFolders,
  errnoOf,
  fsyncDir,
  isOurPlaceholder,
  linkNoClobber,
  lookAt,
  matchesRecorded,
  removeEmptyFolders,
  renameOwn,
  sameInode,
  sameFileByCaseFolding,
  settleAll,
  sha256Of,
  unlinkIfPresent,
  type FileIdentity,
} from './file-system';
import { basenameBytes, dirnameBytes, displayPath, joinBytes, pathLengthProblem } from './path-bytes';

/** Preflights run this many at a time (their looks come from the file workers; a case-only rename may read a folder). */
const IO_CONCURRENCY = 4;
/** Copies and hashes run in this many worker threads, a file each at a time (their I/O overlaps). */
const COPY_WORKERS = 4;

interface CopyItem {
  op: JournalOperation;
  src: FileIdentity;
  createdDirs: Buffer[];
}

function verifyFailed(): OperationFailure {
  return new OperationFailure(
    'verify-failed',
    "the copy's SHA-256 differs from the recorded hash (the copy was corrupted or the source changed); the copy was removed and the source kept",
  );
}

type Preflight =
  | { kind: 'fail'; failure: OperationFailure; detail?: Record<string, unknown> }
  | { kind: 'unpublish' }
  | { kind: 'case-rename' }
  | { kind: 'link'; createdDirs: Buffer[] }
  | { kind: 'copy'; src: FileIdentity; createdDirs: Buffer[] };

export interface ProtocolOptions {
  hooks?: ProtocolHooks;
  /** Set when the process is asked to stop: a copy in progress is rolled back instead of finished. */
  stopSignal?: AbortSignal;
}

/** How an operation ended this time: done, failed (with reason), or rolled back to be tried again. */
export type Outcome = 'done' | 'failed' | 'pending';

function resultOf(st: FileIdentity): DestinationResult {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

/** A name for the temporary copy, next to the destination: short (a long destination name still fits) and unique per operation. */
export function tempNameFor(op: JournalOperation): Buffer {
  return joinBytes(dirnameBytes(op.destination), `.crateflow-${op.id}.part`);
}

/**
 * The move protocol of one file, under the write-ahead journal. Every phase is committed to the journal
 * before the change it names; `reconcile` reads a phase left behind by a crash and finishes or rolls back.
 *
 * Invariants: nothing is ever overwritten (new names come from link() or O_EXCL); a source is removed only
 * when its destination is ours and verified; a destination is removed again only while its source still
 * exists. So at every instant the file exists at its source or its destination (briefly at both).
 */
export class FileProtocol {
  private readonly hooks: ProtocolHooks;
  private readonly io: FileIoPool;
  constructor(
    private readonly journal: JournalRepository,
    private readonly options: ProtocolOptions = {},
  ) {
    this.hooks = options.hooks ?? NO_HOOKS;
    this.io = new FileIoPool(COPY_WORKERS, options.stopSignal);
  }

  /** Starts the file I/O workers ahead of a run (each takes about 0.1 s to start, more on a busy machine). */
  warm(): void {
    this.io.warm();
  }

  /** Ends the file I/O workers (they also end with the process: idle ones do not keep it alive). */
  async close(): Promise<void> {
    await this.io.close();
  }

  private async step(op: JournalOperation, phase: Phase, patch?: OperationPatch, detail?: Record<string, unknown>) {
    await this.journal.record([{ op, phase, patch, detail }]);
    await this.hooks.at(`journaled:${phase}`, op);
  }

  private async fail(op: JournalOperation, f: OperationFailure, detail?: Record<string, unknown>): Promise<Outcome> {
    await this.removeCreatedFolders(op);
    await this.journal.record([
      {
        op,
        phase: 'failed',
        patch: { error: f.message, errorCode: f.code },
        detail: { code: f.code, error: f.message, ...detail },
      },
    ]);
    return 'failed';
  }

  /** Back to pending: nothing of this attempt is left on disk; the operation will be tried again. */
  private async rollBackToPending(op: JournalOperation, why: string): Promise<Outcome> {
    await this.removeCreatedFolders(op);
    await this.journal.record([
      {
        op,
        phase: 'pending',
        patch: { temp: null, tempIno: null, createdDirs: [] },
        detail: { rolledBack: why },
        stepStatus: 'rolled-back',
      },
    ]);
    return 'pending';
  }

  private async removeCreatedFolders(op: JournalOperation): Promise<void> {
    if (op.createdDirs.length) await removeEmptyFolders(op.createdDirs);
  }

  private async done(
    op: JournalOperation,
    result: DestinationResult,
    detail?: Record<string, unknown>,
  ): Promise<Outcome> {
    await this.journal.record([
      { op, phase: 'done', patch: { result, error: null }, detail: { ...result, ...detail } },
    ]);
    await this.hooks.at('journaled:done', op); // before its relocation event is published (the outbox covers that)
    return 'done';
  }

  /** Runs a pending operation to its end. Never throws for a file problem: it ends failed, with its reason. */
  async run(op: JournalOperation): Promise<Outcome> {
    try {
      return await this.runUnguarded(op);
    } catch (e) {
      const f = failureFrom(e, 'moving the file');
      // Whatever phase we were in, put the disk back in order before recording the failure.
      try {
        const outcome = await this.reconcile(op);
        if (outcome !== 'pending') return outcome;
      } catch {
        // reconciliation at the next start-up will finish the job
        throw e;
      }
      return this.fail(op, f);
    }
  }

  /**
   * What may be done with an operation, decided by looking only (nothing is changed): a failure with its
   * reason, or the method and the folders the destination still needs.
   */
  private async preflight(op: JournalOperation, looked?: Looks): Promise<Preflight> {
    if (op.kind === 'unpublish') return { kind: 'unpublish' };
    const tooLong = pathLengthProblem(op.destination);
    if (tooLong) return { kind: 'fail', failure: new OperationFailure('path-too-long', `destination ${tooLong}`) };

    // Source, destination and the destination's folders in one message to a file worker (each look a
    // thread-pool round trip of its own, and a missing path an exception, cost more than the copy here);
    // a batch looks at all its operations at once (`looked`).
    const { src, dst, missing: createdDirs, dev: destDev } = looked ?? (await this.io.look(op.source, op.destination));
    if (!src) return { kind: 'fail', failure: new OperationFailure('source-missing', 'the source file is missing') };
    if (!src.isFile)
      return { kind: 'fail', failure: new OperationFailure('not-a-file', 'the source is not a regular file') };
    if (!matchesRecorded(src, op.expected)) {
      return {
        kind: 'fail',
        failure: new OperationFailure(
          'source-changed',
          'the source changed since it was recorded (size, modification time or inode)',
        ),
        detail: { recorded: op.expected, found: resultOf(src) },
      };
    }
    const caseOnly =
      !!dst &&
      dirnameBytes(op.source).equals(dirnameBytes(op.destination)) &&
      (await sameFileByCaseFolding(op.source, op.destination, src, dst));
    if (dst && !caseOnly) {
      return {
        kind: 'fail',
        failure: new OperationFailure(
          'destination-exists',
          op.undoOfOperationId ? 'the original path is taken' : 'the destination already exists',
        ),
      };
    }
    const sameFs = destDev === src.dev;
    if (caseOnly) return { kind: 'case-rename' };
    if (op.kind === 'hardlink') {
      if (!sameFs) {
        return {
          kind: 'fail',
          failure: new OperationFailure(
            'not-same-filesystem',
            'a hard link needs the output root on the same filesystem as the source',
          ),
        };
      }
      return { kind: 'link', createdDirs };
    }
    if (op.kind === 'move' && sameFs) return { kind: 'link', createdDirs };
    return { kind: 'copy', src, createdDirs };
  }

  private async runUnguarded(op: JournalOperation): Promise<Outcome> {
    const pre = await this.preflight(op);
    switch (pre.kind) {
      case 'unpublish':
        return this.unpublish(op);
      case 'fail':
        return this.fail(op, pre.failure, pre.detail);
      case 'case-rename':
        return this.caseRename(op);
      case 'link':
        return this.claimByLink(op, pre.createdDirs);
      case 'copy':
        return this.copyVerifyPublish(op, pre.src, pre.createdDirs);
    }
  }

  /**
   * Several operations at once, for throughput: same-filesystem claims and copies each share their journal
   * commits (each phase is committed for the whole group before any of its changes is made, so
   * reconciliation reads every operation exactly as if it had run alone), and a few files are copied or
   * verified at a time. Anything else runs one by one.
   */
  async runBatch(ops: JournalOperation[]): Promise<Outcome[]> {
    const outcomes = new Map<string, Outcome>();
    const preflights = new Map<string, Preflight>();
    // Looking only: every operation's paths in a few worker messages. One whose look failed (a folder that
    // may not be read, say) goes the one-by-one way below, which looks again and ends it with its reason.
    const lookable = ops.filter((op) => op.kind !== 'unpublish' && !pathLengthProblem(op.destination));
    const looks = await this.io.lookMany(lookable.map((op) => ({ source: op.source, destination: op.destination })));
    const looked = new Map(lookable.map((op, i) => [op.id, looks[i]]));
    await eachLimited(ops, IO_CONCURRENCY, async (op) => {
      const look = looked.get(op.id);
      if (look?.error) return;
      preflights.set(op.id, await this.preflight(op, look?.value));
    });
    const linkable: { op: JournalOperation; createdDirs: Buffer[] }[] = [];
    const copies: CopyItem[] = [];
    for (const op of ops) {
      const pre = preflights.get(op.id);
      if (!pre) outcomes.set(op.id, await this.guarded(op, () => this.runUnguarded(op)));
      else if (pre.kind === 'link') linkable.push({ op, createdDirs: pre.createdDirs });
      else if (pre.kind === 'copy') copies.push({ op, src: pre.src, createdDirs: pre.createdDirs });
      // Looked at again right before it runs.
      else outcomes.set(op.id, await this.guarded(op, () => this.runUnguarded(op)));
    }
    for (const [group, run] of [
      [linkable, () => this.linkBatch(linkable, outcomes)],
      [copies, () => this.copyBatch(copies, outcomes)],
    ] as const) {
      if (!group.length) continue;
      try {
        await run();
      } catch (e) {
        for (const { op } of group) {
          if (outcomes.has(op.id)) continue;
          outcomes.set(op.id, await this.guarded(op, () => Promise.reject(e)));
        }
      }
    }
    return ops.map(
      (op) => outcomes.get(op.id) ?? (op.status === 'done' ? 'done' : op.status === 'pending' ? 'pending' : 'failed'),
    );
  }

  private async linkBatch(batch: { op: JournalOperation; createdDirs: Buffer[] }[], outcomes: Map<string, Outcome>) {
    await this.journal.record(
      batch.map(({ op, createdDirs }) => ({
        op,
        phase: 'claiming' as const,
        patch: { method: 'link' as const, createdDirs, attempts: op.attempts + 1 },
      })),
    );
    for (const { op } of batch) await this.hooks.at('journaled:claiming', op);
    const claimed = new Set<string>();
    // Every link (after its missing folders) in a few worker messages.
    const claims = await this.io.many(
      batch.map(({ op }) => ({ do: 'claim' as const, from: op.source, to: op.destination, ensureParents: true })),
    );
    for (const [i, { op }] of batch.entries()) {
      const e = claims[i].error;
      if (!e) claimed.add(op.id);
      else {
        if (errnoOf(e) === 'EEXIST') {
          outcomes.set(
            op.id,
            await this.fail(op, new OperationFailure('destination-exists', 'the destination appeared while moving')),
          );
        } else if (linkUnsupported(e) && op.kind === 'move') {
          outcomes.set(op.id, await this.guarded(op, () => this.claimByPlaceholder(op)));
        } else {
          outcomes.set(op.id, await this.fail(op, failureFrom(e, 'linking the destination')));
        }
      }
    }
    const linked = batch.map(({ op }) => op).filter((op) => claimed.has(op.id));
    await this.fsyncDirsOf(linked.map((op) => op.destination));
    const results = await this.destinationsOf(linked);
    await this.finishBatch(linked, results, outcomes);
  }

  /**
   * The copy path for a group of files (across filesystems, and every copy), phase by phase: one commit
   * per phase for the whole group, each written before any file of the group takes that step.
   */
  private async copyBatch(batch: CopyItem[], outcomes: Map<string, Outcome>): Promise<void> {
    await this.journal.record(
      batch.map(({ op, createdDirs }) => ({
        op,
        phase: 'copying' as const,
        patch: {
          method: 'copy' as const,
          temp: tempNameFor(op),
          tempIno: null,
          createdDirs,
          attempts: op.attempts + 1,
        },
      })),
    );
    for (const { op } of batch) await this.hooks.at('journaled:copying', op);

    // Copy in the file I/O workers (a few files at a time); each copy is fsynced. Its bytes are hashed once,
    // by the verify below.
    const copiedAs = new Map<string, FileIdentity>();
    const midCopy =
      this.hooks === NO_HOOKS || this.hooks.wantsMidCopy === false
        ? undefined
        : (op: JournalOperation) => this.hooks.at('copy:mid', op);
    await settleAll(batch, async ({ op, src, createdDirs }) => {
      const temp = op.temp!;
      try {
        // The worker creates the missing folders first (else the folder was there a moment ago).
        const copied = await this.io.copy(op.source, temp, src, midCopy && (() => midCopy(op)), {
          ensureParents: createdDirs.length > 0,
        });
        if (copied.bytesCopied !== op.expected.size) {
          await unlinkIfPresent(temp);
          outcomes.set(
            op.id,
            await this.fail(
              op,
              new OperationFailure(
                'source-changed',
                "the source's size no longer matches the recorded one (its modification time did); nothing was moved",
              ),
              { expectedSize: op.expected.size, bytesCopied: copied.bytesCopied },
            ),
          );
          return;
        }
        copiedAs.set(op.id, copied);
      } catch (e) {
        await unlinkIfPresent(temp).catch(() => undefined);
        if (this.options.stopSignal?.aborted)
          outcomes.set(op.id, await this.rollBackToPending(op, 'stopped while copying'));
        else outcomes.set(op.id, await this.fail(op, failureFrom(e, 'copying the file')));
      }
    });
    // Each copy was fsynced (data and inode); its name is made durable with its final one, below.
    const copied = batch.map(({ op }) => op).filter((op) => copiedAs.has(op.id));
    for (const op of copied) await this.hooks.at('copy:before-verify', op);

    // Verify: read each temporary copy back and compare its SHA-256 and size with the recorded ones.
    await this.journal.record(
      copied.map((op) => ({ op, phase: 'verifying' as const, patch: { tempIno: copiedAs.get(op.id)!.ino } })),
    );
    for (const op of copied) await this.hooks.at('journaled:verifying', op);
    const verifiedHash = new Map<string, string>();
    await settleAll(copied, async (op) => {
      const verified = await this.io.sha256(op.temp!, op.expected.size);
      if (verified.hash !== op.contentHash || verified.size !== op.expected.size) {
        await unlinkIfPresent(op.temp!);
        // Say which side is wrong: a source whose bytes changed under the same size and mtime, or a bad copy.
        // Only a failure pays for this second read.
        const source = await this.io.sha256(op.source, op.expected.size).catch(() => null);
        const sourceChanged = !!source && (source.hash !== op.contentHash || source.size !== op.expected.size);
        outcomes.set(
          op.id,
          await this.fail(
            op,
            sourceChanged
              ? new OperationFailure(
                  'source-changed',
                  "the source's bytes no longer match the recorded hash (size and modification time did); nothing was moved",
                )
              : verifyFailed(),
            { expectedHash: op.contentHash, copyHash: verified.hash, sourceHash: source?.hash ?? null },
          ),
        );
        return;
      }
      verifiedHash.set(op.id, verified.hash);
    });
    const verified = copied.filter((op) => verifiedHash.has(op.id));

    // Publish without overwriting: link(temp, destination), then drop the temporary name (a rename that
    // cannot overwrite). Reconciliation tells a published copy by its inode, with or without the temp name.
    await this.journal.record(
      verified.map((op) => ({ op, phase: 'publishing' as const, detail: { sha256: verifiedHash.get(op.id)! } })),
    );
    for (const op of verified) await this.hooks.at('journaled:publishing', op);
    const linked: JournalOperation[] = [];
    // Every link and dropped temporary name in a few worker messages.
    const publishes = await this.io.many(
      verified.map((op) => ({ do: 'publish' as const, from: op.temp!, to: op.destination })),
    );
    let tempLeft: Error | undefined;
    for (const [i, op] of verified.entries()) {
      const e = publishes[i].error;
      if (!e) {
        linked.push(op);
        continue;
      }
      if (e.linked) {
        tempLeft ??= e; // published but the temp name stayed: reconciliation finishes it
        continue;
      }
      if (linkUnsupported(e) && errnoOf(e) !== 'EMLINK') {
        outcomes.set(op.id, await this.guarded(op, () => this.publishByPlaceholder(op, op.temp!)));
        continue;
      }
      await unlinkIfPresent(op.temp!);
      outcomes.set(
        op.id,
        await this.fail(
          op,
          errnoOf(e) === 'EEXIST'
            ? new OperationFailure('destination-exists', 'the destination appeared while copying')
            : failureFrom(e, 'publishing the copy'),
        ),
      );
    }
    if (tempLeft) throw tempLeft;
    // One fsync per folder makes every new name (and every dropped temporary name) of the group durable.
    await this.fsyncDirsOf(linked.map((op) => op.destination));
    // The destination is the copy's own inode, as it was when the copy was fsynced.
    const results = new Map(linked.map((op) => [op.id, resultOf(copiedAs.get(op.id)!)]));
    // The commit point of every copy of the group.
    await this.journal.record(
      linked.map((op) => ({ op, phase: 'published' as const, patch: { result: results.get(op.id)! } })),
    );
    for (const op of linked) await this.hooks.at('journaled:published', op);
    await this.finishBatch(linked, results, outcomes);
  }

  /**
   * After a group's destinations are claimed or published: copies and hard links are done; moves release
   * their sources, those still the recorded file sharing one commit per phase (anything odd goes alone).
   */
  private async finishBatch(
    ops: JournalOperation[],
    results: Map<string, DestinationResult>,
    outcomes: Map<string, Outcome>,
  ): Promise<void> {
    const kept = ops.filter((op) => op.kind !== 'move');
    await this.journal.record(
      kept.map((op) => ({
        op,
        phase: 'done' as const,
        patch: { result: results.get(op.id)!, error: null },
        detail: { ...results.get(op.id)! },
      })),
    );
    for (const op of kept) {
      await this.hooks.at('journaled:done', op);
      outcomes.set(op.id, 'done');
    }

    const moves = ops.filter((o) => o.kind === 'move');
    for (const op of moves) await this.hooks.at('published:before-release', op);
    const sources = await this.io.lookAtMany(moves.map((op) => op.source));
    const releasable: JournalOperation[] = [];
    for (const [i, op] of moves.entries()) {
      const src = sources[i];
      const r = results.get(op.id)!;
      if (src && (sameInode(src, r.dev, r.ino) || matchesRecorded(src, op.expected))) releasable.push(op);
      else outcomes.set(op.id, await this.guarded(op, () => this.release(op, r)));
    }
    await this.journal.record(
      releasable.map((op) => ({ op, phase: 'releasing' as const, patch: { result: results.get(op.id)! } })),
    );
    for (const op of releasable) await this.hooks.at('journaled:releasing', op);
    const unlinked = new Set<string>();
    const unlinks = await this.io.many(releasable.map((op) => ({ do: 'unlink' as const, path: op.source })));
    for (const [i, op] of releasable.entries()) {
      const e = unlinks[i].error;
      if (!e) unlinked.add(op.id);
      else outcomes.set(op.id, await this.guarded(op, () => this.rollBack(op, failureFrom(e, 'removing the source'))));
    }
    const released = releasable.filter((op) => unlinked.has(op.id));
    await this.fsyncDirsOf(released.map((op) => op.source));
    await this.journal.record(
      released.map((op) => ({
        op,
        phase: 'done' as const,
        patch: { result: results.get(op.id)!, error: null },
        detail: { ...results.get(op.id)! },
      })),
    );
    for (const op of released) {
      await this.hooks.at('journaled:done', op);
      outcomes.set(op.id, 'done');
    }
  }

  private async destinationsOf(ops: JournalOperation[]): Promise<Map<string, DestinationResult>> {
    const found = await this.io.lookAtMany(ops.map((op) => op.destination));
    return new Map(ops.map((op, i) => [op.id, resultOf(found[i]!)]));
  }

  private async fsyncDirsOf(paths: Buffer[]): Promise<void> {
    const dirs = new Map<string, Buffer>();
    for (const p of paths) dirs.set(dirnameBytes(p).toString('hex'), dirnameBytes(p));
    // Together, in the file workers: a journaling filesystem commits several folders' changes in one go.
    await this.io.fsyncDirs([...dirs.values()]);
  }

  /** Runs a step of an operation; an unexpected error puts the disk back in order before the failure is recorded. */
  private async guarded(op: JournalOperation, fn: () => Promise<Outcome>): Promise<Outcome> {
    try {
      return await fn();
    } catch (e) {
      const f = failureFrom(e, 'moving the file');
      const outcome = await this.reconcile(op); // throws when even that fails: the next start-up finishes it
      if (outcome !== 'pending') return outcome;
      return this.fail(op, f);
    }
  }

  // ---- same filesystem -------------------------------------------------------------------------

  private async claimByLink(op: JournalOperation, createdDirs: Buffer[]): Promise<Outcome> {
    await this.step(op, 'claiming', { method: 'link', createdDirs, attempts: op.attempts + 1 });
    await ensureParentFolders(op.destination);
    try {
      await linkNoClobber(op.source, op.destination);
    } catch (e) {
      if (errnoOf(e) === 'EEXIST') {
        return this.fail(op, new OperationFailure('destination-exists', 'the destination appeared while moving'));
      }
      if (linkUnsupported(e) && op.kind === 'move') return this.claimByPlaceholder(op);
      return this.fail(op, failureFrom(e, 'linking the destination'));
    }
    await fsyncDir(dirnameBytes(op.destination));
    const dst = await lookAt(op.destination);
    if (op.kind === 'hardlink') return this.done(op, resultOf(dst!));
    return this.release(op, resultOf(dst!));
  }

  /** Where hard links are not supported (some NAS shares): claim with an exclusive create, then rename onto our own claim. */
  private async claimByPlaceholder(op: JournalOperation): Promise<Outcome> {
    await this.step(op, 'placing', { method: 'placeholder' });
    try {
      await createPlaceholder(op.destination, op.id);
    } catch (e) {
      return this.fail(op, failureFrom(e, 'claiming the destination'));
    }
    await fsyncDir(dirnameBytes(op.destination));
    await this.step(op, 'renaming');
    await renameOwn(op.source, op.destination);
    await fsyncDir(dirnameBytes(op.destination));
    if (!dirnameBytes(op.source).equals(dirnameBytes(op.destination))) await fsyncDir(dirnameBytes(op.source));
    const dst = await lookAt(op.destination);
    return this.done(op, resultOf(dst!));
  }

  /** Case-insensitive filesystems see `a.mp3` and `A.mp3` as one name: go through a temporary name. */
  private async caseRename(op: JournalOperation): Promise<Outcome> {
    const temp = tempNameFor(op);
    await this.step(op, 'case-renaming', { method: 'case-rename', temp, attempts: op.attempts + 1 });
    await renameOwn(op.source, temp);
    await renameOwn(temp, op.destination);
    await fsyncDir(dirnameBytes(op.destination));
    const dst = await lookAt(op.destination);
    return this.done(op, resultOf(dst!));
  }

  // ---- across filesystems (and every copy) -----------------------------------------------------

  private async copyVerifyPublish(op: JournalOperation, src: FileIdentity, createdDirs: Buffer[]): Promise<Outcome> {
    const outcomes = new Map<string, Outcome>();
    await this.copyBatch([{ op, src, createdDirs }], outcomes);
    return outcomes.get(op.id)!;
  }

  private async publishByPlaceholder(op: JournalOperation, temp: Buffer): Promise<Outcome> {
    await this.step(op, 'placing');
    try {
      await createPlaceholder(op.destination, op.id);
    } catch (e) {
      await unlinkIfPresent(temp);
      return this.fail(op, failureFrom(e, 'claiming the destination'));
    }
    await this.step(op, 'renaming');
    await renameOwn(temp, op.destination);
    await fsyncDir(dirnameBytes(op.destination));
    return this.afterPublish(op, temp);
  }

  private async afterPublish(op: JournalOperation, temp: Buffer): Promise<Outcome> {
    const dst = await lookAt(op.destination);
    await this.step(op, 'published', { result: resultOf(dst!) });
    if (await unlinkIfPresent(temp)) await fsyncDir(dirnameBytes(temp));
    if (op.kind === 'copy') return this.done(op, resultOf(dst!));
    return this.release(op, resultOf(dst!));
  }

  // ---- the source goes (move) ------------------------------------------------------------------

  private async release(op: JournalOperation, result: DestinationResult): Promise<Outcome> {
    await this.hooks.at('published:before-release', op);
    const src = await lookAt(op.source);
    const sameFile = src && sameInode(src, result.dev, result.ino);
    if (src && !sameFile && !matchesRecorded(src, op.expected)) {
      return this.rollBack(
        op,
        new OperationFailure(
          'source-changed',
          'the source changed while it was being moved; the new copy was removed and the source kept',
        ),
      );
    }
    await this.step(op, 'releasing', { result });
    if (src) {
      try {
        await fsp.unlink(op.source);
      } catch (e) {
        return this.rollBack(op, failureFrom(e, 'removing the source'));
      }
      await fsyncDir(dirnameBytes(op.source));
    }
    return this.done(op, result);
  }

  /** Removes the destination we created, while the source still exists, and records the failure. */
  private async rollBack(op: JournalOperation, f: OperationFailure): Promise<Outcome> {
    await this.step(op, 'rolling-back', { error: f.message, errorCode: f.code });
    return this.finishRollBack(op, f);
  }

  private async finishRollBack(op: JournalOperation, f: OperationFailure): Promise<Outcome> {
    const src = await lookAt(op.source);
    const dst = await lookAt(op.destination);
    const ours = dst && this.isOurDestination(op, dst);
    if (!src) {
      // The source is gone after all: the destination is the only copy and must stay.
      return dst && ours
        ? this.done(op, resultOf(dst), { note: 'source vanished during roll-back; destination kept' })
        : this.fail(op, f);
    }
    if (ours) {
      await fsp.unlink(op.destination);
      await fsyncDir(dirnameBytes(op.destination));
    }
    return this.fail(op, f);
  }

  private isOurDestination(op: JournalOperation, dst: FileIdentity): boolean {
    if (op.result && sameInode(dst, op.result.dev, op.result.ino)) return true;
    if (op.method === 'link' || op.method === 'placeholder') return sameInode(dst, op.expected.dev, op.expected.ino);
    return !!op.tempIno && dst.ino === op.tempIno;
  }

  // ---- undo of a copy or hard link -------------------------------------------------------------

  /** `destination` is the copy (or link) we made; `source` is the original, which must still be there. */
  private async unpublish(op: JournalOperation): Promise<Outcome> {
    const copy = await lookAt(op.destination);
    if (!copy) return this.done(op, { dev: '', ino: '', size: 0, mtimeMs: 0 }, { note: 'the copy was already gone' });
    const original = await lookAt(op.source);
    if (!original) {
      return this.fail(
        op,
        new OperationFailure('source-missing', 'the original is gone, so the copy is the only one left and stays'),
      );
    }
    if (!(await this.stillWhatWeWrote(op, copy))) {
      return this.fail(
        op,
        new OperationFailure('destination-changed', 'the copy changed since it was written, so it stays'),
      );
    }
    await this.step(op, 'unpublishing', { attempts: op.attempts + 1 });
    await fsp.unlink(op.destination);
    await fsyncDir(dirnameBytes(op.destination));
    return this.done(op, resultOf(copy));
  }

  private async stillWhatWeWrote(op: JournalOperation, copy: FileIdentity): Promise<boolean> {
    if (!matchesRecorded(copy, op.expected)) return false;
    if (op.expected.ino && op.expected.ino === (await lookAt(op.source))?.ino) return true; // a hard link
    return (await sha256Of(op.destination)).hash === op.contentHash;
  }

  // ---- crash recovery ----------------------------------------------------------------------------

  /**
   * Brings an operation a crash left in the middle of a phase to a consistent end: done (the file is at
   * its destination, verified, the source gone), failed or pending (the file is at its source and nothing
   * of the attempt is left). Every decision is taken from the journal and what is on disk.
   */
  async reconcile(op: JournalOperation): Promise<Outcome> {
    switch (op.phase) {
      case 'pending':
        return 'pending';
      case 'done':
        return 'done';
      case 'failed':
        return 'failed';
      case 'claiming': {
        const dst = await lookAt(op.destination);
        if (dst && sameInode(dst, op.expected.dev, op.expected.ino)) {
          if (op.kind === 'hardlink') return this.done(op, resultOf(dst), { reconciled: true });
          return this.release(op, resultOf(dst));
        }
        if (!dst) return this.rollBackToPending(op, 'interrupted before the destination was claimed');
        return this.fail(op, new OperationFailure('destination-exists', 'the destination is taken by another file'));
      }
      case 'placing': {
        if (await isOurPlaceholder(op.destination, op.id)) await unlinkIfPresent(op.destination);
        if (op.temp) await unlinkIfPresent(op.temp);
        const dst = await lookAt(op.destination);
        if (dst)
          return this.fail(op, new OperationFailure('destination-exists', 'the destination is taken by another file'));
        return this.rollBackToPending(op, 'interrupted while claiming the destination');
      }
      case 'renaming': {
        const dst = await lookAt(op.destination);
        if (op.temp) {
          if (dst && dst.ino === op.tempIno) return this.reconcilePublished(op);
        } else if (dst && sameInode(dst, op.expected.dev, op.expected.ino)) {
          return this.done(op, resultOf(dst), { reconciled: true });
        }
        if (await isOurPlaceholder(op.destination, op.id)) await unlinkIfPresent(op.destination);
        if (op.temp) await unlinkIfPresent(op.temp);
        return this.rollBackToPending(op, 'interrupted before the rename');
      }
      case 'case-renaming': {
        const temp = op.temp!;
        const atTemp = await lookAt(temp);
        if (atTemp && sameInode(atTemp, op.expected.dev, op.expected.ino)) {
          await renameOwn(temp, op.destination);
          await fsyncDir(dirnameBytes(op.destination));
        }
        const names = await fsp.readdir(dirnameBytes(op.destination), { encoding: 'buffer' });
        const final = names.some((n) => n.equals(basenameBytes(op.destination)));
        const dst = await lookAt(op.destination);
        if (final && dst) return this.done(op, resultOf(dst), { reconciled: true });
        return this.rollBackToPending(op, 'interrupted before the case-only rename');
      }
      case 'copying':
      case 'verifying': {
        if (op.temp) await unlinkIfPresent(op.temp);
        return this.rollBackToPending(op, `interrupted while ${op.phase}`);
      }
      case 'publishing': {
        const dst = await lookAt(op.destination);
        if (dst && op.tempIno && dst.ino === op.tempIno) return this.reconcilePublished(op);
        if (op.temp) await unlinkIfPresent(op.temp);
        if (dst)
          return this.fail(op, new OperationFailure('destination-exists', 'the destination is taken by another file'));
        return this.rollBackToPending(op, 'interrupted before the copy was published');
      }
      case 'published':
        return this.reconcilePublished(op);
      case 'releasing': {
        const src = await lookAt(op.source);
        const result = op.result!;
        if (src && (sameInode(src, result.dev, result.ino) || matchesRecorded(src, op.expected))) {
          await fsp.unlink(op.source);
          await fsyncDir(dirnameBytes(op.source));
        }
        return this.done(op, result, { reconciled: true });
      }
      case 'rolling-back':
        return this.finishRollBack(
          op,
          new OperationFailure((op.errorCode as never) ?? 'interrupted', op.error ?? 'interrupted while rolling back'),
        );
      case 'unpublishing': {
        const copy = await lookAt(op.destination);
        if (copy && (await lookAt(op.source))) {
          await fsp.unlink(op.destination);
          await fsyncDir(dirnameBytes(op.destination));
        }
        return this.done(op, op.result ?? { dev: '', ino: '', size: 0, mtimeMs: 0 }, { reconciled: true });
      }
    }
  }

  /** The journal proves the destination is ours; it must still hash to the recorded content before the source may go. */
  private async reconcilePublished(op: JournalOperation): Promise<Outcome> {
    const dst = await lookAt(op.destination);
    if (!dst) {
      if (op.temp) await unlinkIfPresent(op.temp);
      const src = await lookAt(op.source);
      if (src) return this.rollBackToPending(op, 'the published copy is gone; the source is still there');
      return this.fail(op, new OperationFailure('source-missing', 'both the published copy and the source are gone'));
    }
    const { hash } = await sha256Of(op.destination);
    if (hash !== op.contentHash) {
      return this.fail(
        op,
        new OperationFailure(
          'destination-changed',
          'the destination no longer matches the recorded hash; the source was kept',
        ),
        { destinationHash: hash },
      );
    }
    if (op.phase !== 'published')
      await this.step(op, 'published', { result: resultOf(dst) }, { reconciled: true, sha256: hash });
    if (op.temp && (await unlinkIfPresent(op.temp))) await fsyncDir(dirnameBytes(op.temp));
    if (op.kind === 'copy') return this.done(op, resultOf(dst), { reconciled: true });
    return this.release(op, resultOf(dst));
  }
}

export { displayPath };
