import { randomUUID } from 'node:crypto';
import type { JournalOperation, NewOperation } from '../journal/operation';

/**
 * The operations that undo finished ones: a move goes back by the same protocol (destination → source,
 * expecting the file exactly as the move left it); a copy or hard link is unpublished (removed only while
 * still what was written and while the original is still there). Companions follow their media file.
 * `already` lists operations that an earlier undo has already reversed.
 */
export function undoOperationsFor(
  ops: JournalOperation[],
  options: { only?: ReadonlySet<string>; already?: ReadonlySet<string> } = {},
): NewOperation[] {
  const chosen = ops.filter(
    (o) =>
      o.status === 'done' &&
      o.result?.ino &&
      o.kind !== 'unpublish' &&
      !options.already?.has(o.id) &&
      (!options.only || options.only.has(o.id) || (o.parentOperationId && options.only.has(o.parentOperationId))),
  );
  const undoIdOf = new Map(chosen.map((o) => [o.id, randomUUID()]));
  return chosen.map((o): NewOperation => {
    const expected = { size: o.result!.size, mtimeMs: o.result!.mtimeMs, dev: o.result!.dev, ino: o.result!.ino };
    const parentOperationId = o.parentOperationId ? (undoIdOf.get(o.parentOperationId) ?? null) : null;
    const common = {
      id: undoIdOf.get(o.id),
      role: o.role,
      fileId: o.fileId,
      planItemId: o.planItemId,
      parentOperationId,
      undoOfOperationId: o.id,
      expected,
      contentHash: o.contentHash,
    };
    if (o.kind === 'move') return { ...common, kind: 'move', source: o.destination, destination: o.source };
    return { ...common, kind: 'unpublish', source: o.source, destination: o.destination };
  });
}

/** Operation ids of `executionId` already reversed by a finished undo. */
export function reversedBy(undoOps: JournalOperation[]): Set<string> {
  return new Set(undoOps.filter((o) => o.status === 'done' && o.undoOfOperationId).map((o) => o.undoOfOperationId!));
}
