import { parentPort } from 'node:worker_threads';
import { MetadataReadError } from './errors';
import { loadMusicMetadata } from './music-metadata.adapter';
import { readTags } from './read-tags';
import type { PoolReply, PoolTask } from './tag-reader-pool';

/**
 * A TagReaderPool worker: reads one file at a time with blocking I/O (harmless here, and several
 * times cheaper than the thread-pool round trips of asynchronous reads) and answers with the result
 * or the MetadataReadError's kind and reason.
 */
loadMusicMetadata();

parentPort!.on('message', (task: PoolTask) => {
  const filePath =
    typeof task.path === 'string'
      ? task.path
      : Buffer.from(task.path.buffer, task.path.byteOffset, task.path.byteLength);
  readTags(filePath, { maxBytes: task.maxBytes, timeoutMs: task.timeoutMs, io: 'sync' }).then(
    (result) => parentPort!.postMessage({ id: task.id, ok: true, result } satisfies PoolReply),
    (err: unknown) => {
      const error =
        err instanceof MetadataReadError
          ? { kind: err.kind, reason: err.reason }
          : {
              kind: null,
              reason: `the tag reader failed unexpectedly: ${String((err as Error)?.message ?? err).slice(0, 500)}`,
            };
      parentPort!.postMessage({ id: task.id, ok: false, error } satisfies PoolReply);
    },
  );
});
