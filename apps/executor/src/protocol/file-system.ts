import { createHash } from 'node:crypto';
import { constants, promises as fsp, type BigIntStats } from 'node:fs';
import { basenameBytes, differsOnlyInCase, dirnameBytes } from './path-bytes';

/**
 * The executor's only doorway to the filesystem: small, explicit operations on byte paths. Nothing here
 * overwrites: new names are created with O_EXCL or link(), which fail when the name exists.
 */

/** What identifies a file on disk between two looks at it. */
export interface FileIdentity {
  dev: string;
  ino: string;
  size: number;
  /** As Node's non-bigint stat computes it (and as ingest recorded it). */
  mtimeMs: number;
  mode: number;
  uid: number;
  gid: number;
  atimeMs: number;
  nlink: number;
  isFile: boolean;
}

function msOf(ns: bigint): number {
  return Number(ns / 1_000_000_000n) * 1000 + Number(ns % 1_000_000_000n) / 1e6;
}

export function identityOf(st: BigIntStats): FileIdentity {
  return {
    dev: st.dev.toString(),
    ino: st.ino.toString(),
    size: Number(st.size),
    mtimeMs: msOf(st.mtimeNs),
    atimeMs: msOf(st.atimeNs),
    mode: Number(st.mode),
    uid: Number(st.uid),
    gid: Number(st.gid),
    nlink: Number(st.nlink),
    isFile: st.isFile(),
  };
}

/** lstat without following a final symlink; null when nothing is there. */
export async function lookAt(p: Buffer): Promise<FileIdentity | null> {
  try {
    return identityOf(await fsp.lstat(p, { bigint: true }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export function sameInode(a: FileIdentity | null, dev: string | null, ino: string | null): boolean {
  return !!a && a.dev === dev && a.ino === ino;
}

/** Same inode, size and mtime as recorded: the file we planned for, untouched since. */
export function matchesRecorded(
  a: FileIdentity | null,
  r: { dev: string | null; ino: string | null; size: number; mtimeMs: number },
): boolean {
  return !!a && a.isFile && sameInode(a, r.dev, r.ino) && a.size === r.size && a.mtimeMs === r.mtimeMs;
}

/**
 * Whether `destination` names the file at `source` only through the filesystem's case folding (a
 * case-only rename, `a.mp3` → `A.mp3`, on a case-insensitive filesystem). The names must differ only in
 * letter case. Then either both names lead to one inode, or, where a filesystem numbers each name it is
 * asked about on its own (FUSE filesystems without inode numbers of their own, exfat-fuse among them), the
 * two look the same (device, size, mtime) and the folder lists the source's exact name and not the
 * destination's: a case-sensitive filesystem could only have found the destination under its exact name.
 */
export async function sameFileByCaseFolding(
  source: Buffer,
  destination: Buffer,
  src: FileIdentity | null,
  dst: FileIdentity | null,
): Promise<boolean> {
  if (!src || !dst || !differsOnlyInCase(source, destination)) return false;
  if (sameInode(dst, src.dev, src.ino)) return true;
  if (dst.dev !== src.dev || dst.size !== src.size || dst.mtimeMs !== src.mtimeMs) return false;
  if (!dirnameBytes(source).equals(dirnameBytes(destination))) return false;
  const names = await fsp.readdir(dirnameBytes(destination), { encoding: 'buffer' });
  return names.some((n) => n.equals(basenameBytes(source))) && !names.some((n) => n.equals(basenameBytes(destination)));
}

const HASH_CHUNK = 1 << 20;

/**
 * SHA-256 of a file's bytes, read through one descriptor. With `expectedSize`, a short read at that size
 * ends it (the buffer has room for one byte more, so a longer file is still read to its end).
 */
export async function sha256Of(p: Buffer, expectedSize?: number): Promise<{ hash: string; size: number }> {
  const fh = await fsp.open(p, 'r');
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(
      expectedSize === undefined ? HASH_CHUNK : Math.min(HASH_CHUNK, Math.max(expectedSize + 1, 64 * 1024)),
    );
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (!bytesRead) break;
      hash.update(buf.subarray(0, bytesRead));
      size += bytesRead;
      if (expectedSize !== undefined && bytesRead < buf.length && size === expectedSize) break;
    }
    return { hash: hash.digest('hex'), size };
  } finally {
    await fh.close();
  }
}

/** fsync a folder, so a name created or removed in it survives a power cut. */
export async function fsyncDir(dir: Buffer): Promise<void> {
  const fh = await fsp.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Creates the missing folders above `p`, returning those it created (outermost first). */
export async function ensureParentFolders(p: Buffer): Promise<Buffer[]> {
  const missing: Buffer[] = [];
  let dir = dirnameBytes(p);
  for (;;) {
    const st = await lookAt(dir);
    if (st) break;
    missing.unshift(dir);
    const up = dirnameBytes(dir);
    if (up.equals(dir)) break;
    dir = up;
  }
  const created: Buffer[] = [];
  for (const d of missing) {
    try {
      await fsp.mkdir(d);
      created.push(d);
      await fsyncDir(dirnameBytes(d));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return created;
}

/** Removes folders (innermost first) that are empty; a folder holding anything, hidden files included, stays. */
export async function removeEmptyFolders(dirs: Buffer[]): Promise<Buffer[]> {
  const removed: Buffer[] = [];
  const sorted = [...dirs].sort((a, b) => b.length - a.length);
  for (const d of sorted) {
    try {
      await fsp.rmdir(d); // rmdir refuses a folder that is not empty: no listing race can remove a file
      removed.push(d);
      await fsyncDir(dirnameBytes(d)).catch(() => undefined);
    } catch {
      // not empty, already gone or not ours to remove
    }
  }
  return removed;
}

export async function linkNoClobber(from: Buffer, to: Buffer): Promise<void> {
  await fsp.link(from, to);
}

export async function unlinkFile(p: Buffer): Promise<void> {
  await fsp.unlink(p);
}

/** Unlinks when present; true when something was removed. */
export async function unlinkIfPresent(p: Buffer): Promise<boolean> {
  try {
    await fsp.unlink(p);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

export async function renameOwn(from: Buffer, to: Buffer): Promise<void> {
  await fsp.rename(from, to);
}

/** The claim marker written into a placeholder, so reconciliation can tell our placeholder from anyone's file. */
export function placeholderMarker(operationId: string): Buffer {
  return Buffer.from(`crateflow-executor-claim:${operationId}\n`);
}

/** Creates `p` exclusively and writes our marker into it (the claim where hard links are not supported). */
export async function createPlaceholder(p: Buffer, operationId: string): Promise<FileIdentity> {
  const fh = await fsp.open(p, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await fh.write(placeholderMarker(operationId));
    await fh.sync();
    return identityOf(await fh.stat({ bigint: true }));
  } finally {
    await fh.close();
  }
}

export async function isOurPlaceholder(p: Buffer, operationId: string): Promise<boolean> {
  const marker = placeholderMarker(operationId);
  const st = await lookAt(p);
  if (!st?.isFile || st.size !== marker.length) return false;
  const fh = await fsp.open(p, 'r');
  try {
    const buf = Buffer.alloc(marker.length);
    await fh.read(buf, 0, buf.length, 0);
    return buf.equals(marker);
  } finally {
    await fh.close();
  }
}

/** Runs `fn` over `items` with at most `limit` at a time (overlapping the I/O of a few files). */
export async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      try {
        await fn(items[next++]);
      } catch (e) {
        failed = true; // no new item starts; those in hand finish before the error is passed on
        throw e;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/**
 * Runs `fn` over every item at once (for work a pool bounds itself) and waits for all of them to settle
 * before passing on the first error: nothing is left running behind the caller's back.
 */
export async function settleAll<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  const settled = await Promise.allSettled(items.map(fn));
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/** An errno code for failures we explain to people; anything else keeps its message. */
export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}
