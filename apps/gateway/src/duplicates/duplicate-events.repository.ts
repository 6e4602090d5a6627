import { Inject, Injectable } from '@nestjs/common';
import { Subjects } from '@crateflow/contracts';
import type { Messaging } from '@crateflow/messaging';
import { MESSAGING } from '@crateflow/service-host';
import type { Announcement } from './duplicate-resolution.repository';

/** Publishes at once, at most this many awaiting their acknowledgement. */
const PUBLISH_CONCURRENCY = 32;

/**
 * The duplicate decisions as events, one per covered file, for ingest's lifecycle tracker. Message ids
 * are derived from the resolution and the file, so announcing again (a retry) is harmless.
 */
@Injectable()
export class DuplicateEventsRepository {
  constructor(@Inject(MESSAGING) private readonly messaging: Messaging) {}

  announceResolved(items: Announcement[]): Promise<void> {
    return forEachLimited(items, (a) =>
      this.messaging.publish(
        Subjects.fileDuplicateResolved,
        {
          fileId: a.fileId,
          contentHash: a.contentHash,
          resolutionId: a.resolutionId,
          canonicalFileId: a.canonicalFileId,
        },
        { msgId: `duplicate-resolved:${a.resolutionId}:${a.fileId}` },
      ),
    );
  }

  announceUnresolved(items: Announcement[]): Promise<void> {
    return forEachLimited(items, (a) =>
      this.messaging.publish(
        Subjects.fileDuplicateUnresolved,
        {
          fileId: a.fileId,
          contentHash: a.contentHash,
          resolutionId: a.resolutionId,
          canonicalFileId: a.canonicalFileId,
        },
        { msgId: `duplicate-unresolved:${a.resolutionId}:${a.fileId}` },
      ),
    );
  }
}

/** Runs `fn` over the items with bounded concurrency; rejects with the first failure after the running ones settle. */
export async function forEachLimited<T>(
  items: readonly T[],
  fn: (item: T) => Promise<unknown>,
  limit = PUBLISH_CONCURRENCY,
): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
