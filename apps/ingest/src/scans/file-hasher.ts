import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export interface HashResult {
  contentHash: string;
  size: number;
  mtimeMs: number;
}

/** The file changed while it was being read (still being copied or written): try again later. */
export class UnstableFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnstableFileError';
  }
}

const CHUNK = 1 << 20;

/**
 * Streaming SHA-256 over one open file descriptor, with the size and mtime taken from that same
 * descriptor before and after reading: if they differ, or the bytes read differ from the size, the file
 * was being written and the hash is not trusted.
 */
export async function hashFile(
  pathKey: Buffer,
  onBytes?: (n: number) => void,
  buffer: Buffer = Buffer.allocUnsafe(CHUNK),
): Promise<HashResult> {
  const handle = await open(pathKey, 'r');
  try {
    const before = await handle.stat();
    const hash = createHash('sha256');
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      total += bytesRead;
      onBytes?.(bytesRead);
    }
    const after = await handle.stat();
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || total !== after.size) {
      throw new UnstableFileError(`changed while being read (size ${before.size} → ${after.size})`);
    }
    return { contentHash: hash.digest('hex'), size: after.size, mtimeMs: after.mtimeMs };
  } finally {
    await handle.close();
  }
}

/** Hashes with a few retries for files that are still being written; gives up with UnstableFileError. */
export async function hashStableFile(
  pathKey: Buffer,
  options: { retries?: number; retryDelayMs?: number; onBytes?: (n: number) => void; buffer?: Buffer } = {},
): Promise<HashResult> {
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await hashFile(pathKey, options.onBytes, options.buffer);
    } catch (e) {
      if (!(e instanceof UnstableFileError) || attempt >= retries) throw e;
      await new Promise((r) => setTimeout(r, (options.retryDelayMs ?? 1000) * (attempt + 1)));
    }
  }
}
