import { stat } from 'node:fs/promises';
import { extensionOf, type FileKind, type ScanCounts } from '@crateflow/contracts';
import { LibraryPathError, resolveLibraryPath } from '@crateflow/config';
import type { FileRepository, HashedFile, UpsertedFile } from '../repositories/file.repository';
import { EMPTY_COUNTS, type ScanRepository } from '../repositories/scan.repository';
import { hashStableFile, UnstableFileError } from './file-hasher';
import { isWithin } from './path-bytes';
import { describeFsError, walkTree, type FoundFile, type WalkProblems } from './tree-walker';

/** What a scan tells the rest of the system; implemented over JetStream by the handler. */
export interface ScanEvents {
  fileIngested(
    change: 'new' | 'changed',
    event: { fileId: string; scanId: string; contentHash: string; kind: FileKind; generation: number },
  ): Promise<void>;
  fileMissing(event: { fileId: string; scanId: string }): Promise<void>;
  scanProgressed(scanId: string, counts: ScanCounts, currentDir: string): Promise<void>;
  scanFinished(scanId: string, status: 'completed' | 'failed', counts: ScanCounts, error?: string): Promise<void>;
}

export interface ScanOptions {
  libraryRoots: string[];
  /** Files hashed at once; two keeps both cores busy without thrashing a spinning disk. */
  hashConcurrency: number;
  /** Rows per upsert statement. */
  batchSize: number;
  progressIntervalMs: number;
  unstableRetries: number;
  unstableRetryDelayMs: number;
  onBytesHashed?: (n: number) => void;
  /** Called while a long scan runs, so the message broker knows the scan is alive. */
  heartbeat?: () => void;
}

/** A scan that cannot complete without risking wrong answers (e.g. an unmounted drive). */
export class ScanRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScanRefusedError';
  }
}

interface PendingHash {
  file: FoundFile;
}

/**
 * Walks one folder of a library root and brings the files table in line with the disk. Safe to run again
 * after a crash: it recounts from the table, and re-announces files this scan already recorded.
 */
export class ScanService {
  constructor(
    private readonly files: FileRepository,
    private readonly scans: ScanRepository,
    private readonly events: ScanEvents,
    private readonly options: ScanOptions,
  ) {}

  async run(scanId: string, requestedPath: string, signal?: AbortSignal): Promise<ScanCounts> {
    const existing = await this.scans.get(scanId);
    if (existing && (existing.status === 'completed' || existing.status === 'failed')) return existing.counts; // a redelivered command

    let resolved;
    try {
      resolved = await resolveLibraryPath(requestedPath, this.options.libraryRoots);
    } catch (e) {
      const reason = e instanceof LibraryPathError ? e.message : describeFsError(e);
      await this.scans.reject(scanId, requestedPath, reason);
      await this.events.scanFinished(scanId, 'failed', EMPTY_COUNTS, reason);
      return EMPTY_COUNTS;
    }
    await this.scans.start(scanId, resolved.root, resolved.path);

    const scope = Buffer.from(resolved.path);
    const rootStat = await stat(scope);
    const problems: WalkProblems = { unreadableDirs: [], errors: [], ignored: 0, symlinksSkipped: 0 };
    const counts: ScanCounts = { ...EMPTY_COUNTS };
    let pending: PendingHash[] = [];
    let unchangedIds: string[] = [];
    let lastProgress = 0;
    let currentDir = resolved.path;

    const flushUnchanged = async () => {
      await this.files.markSeen(scanId, unchangedIds);
      unchangedIds = [];
    };
    const flushPending = async () => {
      const batch = pending;
      pending = [];
      const hashed = await this.hashAll(batch, counts, problems);
      const upserted = await this.files.upsert(scanId, resolved.root, hashed);
      await this.announce(scanId, upserted);
    };
    const reportProgress = async (force = false) => {
      const now = Date.now();
      if (!force && now - lastProgress < this.options.progressIntervalMs) return;
      lastProgress = now;
      this.options.heartbeat?.();
      const snapshot = this.snapshot(counts, problems);
      await this.scans.progress(scanId, snapshot);
      await this.events.scanProgressed(scanId, snapshot, currentDir);
    };

    try {
      for await (const listing of walkTree(scope, problems, signal)) {
        currentDir = listing.dirKey.toString('utf8');
        if (!listing.files.length) continue;
        counts.found += listing.files.length;
        const known = await this.files.findByDir(listing.dirKey);
        for (const file of listing.files) {
          const row = known.get(file.pathKey.toString('hex'));
          if (row && row.size === file.size && row.mtimeMs === file.mtimeMs) {
            unchangedIds.push(row.id);
            // Recorded by an earlier attempt of this same scan: announce again in case the crash came
            // between the write and the publish (the message id makes repeats harmless).
            if (row.firstSeenScanId === scanId || row.changedScanId === scanId) {
              await this.events.fileIngested(row.firstSeenScanId === scanId ? 'new' : 'changed', {
                fileId: row.id,
                scanId,
                contentHash: row.contentHash,
                kind: file.kind,
                generation: row.generation,
              });
            }
          } else {
            pending.push({ file });
          }
        }
        if (unchangedIds.length >= this.options.batchSize) await flushUnchanged();
        if (pending.length >= this.options.batchSize) await flushPending();
        await reportProgress();
      }
      await flushUnchanged();
      await flushPending();

      await this.checkRootStillThere(scope, rootStat, resolved.path);
      const present = await this.files.countPresentBelow(scope);
      if (counts.found === 0 && present > 0) {
        throw new ScanRefusedError(
          `${resolved.path} looks empty but ${present} files were recorded there; if it is a drive or NAS, check it is mounted. Nothing was marked missing.`,
        );
      }

      const unseen = (await this.files.unseenBelow(scope, scanId)).filter(
        (f) => !problems.unreadableDirs.some((dir) => isWithin(dir, f.pathKey)),
      );
      await this.files.markMissing(
        scanId,
        unseen.map((f) => f.id),
      );
      for (const f of unseen) await this.events.fileMissing({ fileId: f.id, scanId });

      const changes = await this.files.scanChanges(scanId);
      const final = this.snapshot(counts, problems);
      final.new = changes.new;
      final.changed = changes.changed;
      final.unchanged = changes.seen - changes.new - changes.changed;
      final.missing = changes.missing;
      await this.scans.finish(scanId, 'completed', final);
      await this.events.scanFinished(scanId, 'completed', final);
      return final;
    } catch (e) {
      if (e instanceof ScanRefusedError) {
        const snapshot = this.snapshot(counts, problems);
        await this.scans.finish(scanId, 'failed', snapshot, e.message);
        await this.events.scanFinished(scanId, 'failed', snapshot, e.message);
        return snapshot;
      }
      throw e; // transient (database, broker): the command is retried and the scan resumes
    }
  }

  private snapshot(counts: ScanCounts, problems: WalkProblems): ScanCounts {
    return {
      ...counts,
      errors: problems.errors.length,
      ignored: problems.ignored,
      symlinksSkipped: problems.symlinksSkipped,
    };
  }

  private async checkRootStillThere(scope: Buffer, before: { dev: number; ino: number }, shown: string): Promise<void> {
    const after = await stat(scope).catch((e) => e as NodeJS.ErrnoException);
    if (after instanceof Error) {
      throw new ScanRefusedError(
        `${shown} disappeared during the scan (${describeFsError(after)}); nothing was marked missing.`,
      );
    }
    if (after.dev !== before.dev || after.ino !== before.ino) {
      throw new ScanRefusedError(`${shown} was unmounted or replaced during the scan; nothing was marked missing.`);
    }
  }

  private async hashAll(batch: PendingHash[], counts: ScanCounts, problems: WalkProblems): Promise<HashedFile[]> {
    const out: HashedFile[] = [];
    let next = 0;
    const worker = async () => {
      const buffer = Buffer.allocUnsafe(1 << 20);
      while (next < batch.length) {
        const { file } = batch[next++];
        try {
          const h = await hashStableFile(file.pathKey, {
            retries: this.options.unstableRetries,
            retryDelayMs: this.options.unstableRetryDelayMs,
            buffer,
            onBytes: (n) => {
              counts.bytesHashed += n;
              this.options.onBytesHashed?.(n);
            },
          });
          out.push({
            ...file,
            ext: extensionOf(file.name),
            size: h.size,
            mtimeMs: h.mtimeMs,
            contentHash: h.contentHash,
          });
        } catch (e) {
          if (e instanceof UnstableFileError) counts.unstable++;
          else {
            problems.errors.push({ path: file.pathKey.toString('utf8'), error: describeFsError(e) });
            problems.unreadableDirs.push(file.pathKey); // unreadable now is not the same as gone
          }
        }
        this.options.heartbeat?.();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.hashConcurrency) }, worker));
    return out;
  }

  private async announce(scanId: string, upserted: UpsertedFile[]): Promise<void> {
    // Publishes in parallel chunks: awaiting each PubAck in turn would cap ingest at the broker's round trip.
    for (let i = 0; i < upserted.length; i += 64) {
      await Promise.all(
        upserted.slice(i, i + 64).map((f) =>
          // A touched file kept its bytes: its new mtime is recorded and it does not re-enter the chain.
          f.change === 'touched'
            ? undefined
            : this.events.fileIngested(f.change, {
                fileId: f.id,
                scanId,
                contentHash: f.contentHash,
                kind: f.kind,
                generation: f.generation,
              }),
        ),
      );
    }
  }
}
