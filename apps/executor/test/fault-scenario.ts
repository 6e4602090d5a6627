import * as path from 'node:path';
import type { JournalRepository } from '../src/journal/journal.repository';
import type { NewOperation } from '../src/journal/operation';
import { ExecutionRunner, type ExecutionEvents } from '../src/runs/execution-runner';
import { undoOperationsFor } from '../src/runs/undo-planner';
import { operationFor, writeFixtureFile, type FixtureFile } from './library-fixture';

export const SILENT_LOGGER = { info: () => undefined, warn: () => undefined, error: () => undefined };
export const NO_EVENTS: ExecutionEvents = {
  progressed: async () => undefined,
  finished: async () => undefined,
  relocated: async () => undefined,
};

/** The journal's own reconciliation, run in the test process exactly as the executor runs it at start-up. */
export function reconcileInProcess(journal: JournalRepository) {
  return new ExecutionRunner(journal, NO_EVENTS, SILENT_LOGGER).reconcile();
}

export interface Batch {
  operations: NewOperation[];
  files: FixtureFile[];
}

/**
 * A small library: media files of several sizes (one spans several copy chunks) each with a companion
 * travelling along, planned into `destinationRoot` (another filesystem or the same one).
 */
export function buildBatch(
  sourceRoot: string,
  destinationRoot: string,
  count: number,
  random: () => number,
  kind: 'move' | 'copy' = 'move',
  { companions = true }: { companions?: boolean } = {},
): Batch {
  const operations: NewOperation[] = [];
  const files: FixtureFile[] = [];
  for (let i = 0; i < count; i++) {
    const size = i === 0 ? 9 * 1024 * 1024 + 123 : Math.floor(random() * 300_000);
    const media = writeFixtureFile(
      path.join(sourceRoot, `album ${i % 3}`, `${String(i).padStart(3, '0')} track.flac`),
      size,
    );
    const mediaOp = operationFor(
      media,
      path.join(destinationRoot, 'music', `Artist ${i % 4}`, `${i} - Track.flac`),
      kind,
      {
        id: crypto.randomUUID(),
      },
    );
    operations.push(mediaOp);
    files.push(media);
    if (companions && i % 2 === 0) {
      const cue = writeFixtureFile(
        path.join(sourceRoot, `album ${i % 3}`, `${String(i).padStart(3, '0')} track.cue`),
        700,
      );
      operations.push(
        operationFor(cue, path.join(destinationRoot, 'music', `Artist ${i % 4}`, `${i} - Track.cue`), kind, {
          role: 'companion',
          parentOperationId: mediaOp.id,
        }),
      );
      files.push(cue);
    }
  }
  return { operations, files };
}

export async function undoBatchOf(journal: JournalRepository, executionId: string): Promise<NewOperation[]> {
  return undoOperationsFor(await journal.operationsOf(executionId));
}

/** A small deterministic PRNG (mulberry32) so a failing random run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
