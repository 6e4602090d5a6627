import { parentPort } from 'node:worker_threads';
import { MetadataReadError } from './errors';
import { loadMusicMetadata } from './music-metadata.adapter';
import { readTags, type TagReadResult } from './read-tags';
import type { PoolReply, PoolTask } from './tag-reader-pool';

/** Reads one pool task with blocking I/O (harmless on a worker thread, and much cheaper). */
export function readTask(task: PoolTask): Promise<TagReadResult> {
  const filePath =
    typeof task.path === 'string'
      ? task.path
      : Buffer.from(task.path.buffer, task.path.byteOffset, task.path.byteLength);
  return readTags(filePath, { maxBytes: task.maxBytes, timeoutMs: task.timeoutMs, io: 'sync' });
}

/**
 * The loop of a TagReaderPool worker: files are read one at a time, strictly in the order they
 * arrive (the pool relies on that to know which file a stuck or dead worker was reading), and each
 * gets an answer: the result, or the MetadataReadError's kind and reason.
 */
export function serveTagReads(read: (task: PoolTask) => Promise<TagReadResult> = readTask): void {
  loadMusicMetadata();
  const port = parentPort!;
  const queue: PoolTask[] = [];
  let busy = false;
  const next = async () => {
    if (busy) return;
    busy = true;
    while (queue.length > 0) {
      const task = queue.shift()!;
      let reply: PoolReply;
      try {
        reply = { id: task.id, ok: true, result: await read(task) };
      } catch (err) {
        const error =
          err instanceof MetadataReadError
            ? { kind: err.kind, reason: err.reason }
            : {
                kind: null,
                reason: `the tag reader failed unexpectedly: ${String((err as Error)?.message ?? err).slice(0, 500)}`,
              };
        reply = { id: task.id, ok: false, error };
      }
      port.postMessage(reply);
    }
    busy = false;
  };
  port.on('message', (task: PoolTask) => {
    queue.push(task);
    void next();
  });
}
