import type { Dirent } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { classifyFileName, type FileKind } from '@crateflow/contracts';
import { displayPath, joinBytes } from './path-bytes';

/** A file of a kind Crateflow tracks, as found on disk. */
export interface FoundFile {
  pathKey: Buffer;
  dirKey: Buffer;
  name: string;
  kind: FileKind;
  size: number;
  mtimeMs: number;
}

export interface DirectoryListing {
  dirKey: Buffer;
  files: FoundFile[];
}

export interface WalkProblems {
  /** Directories that could not be read; files below them must not be declared missing. */
  unreadableDirs: Buffer[];
  errors: { path: string; error: string }[];
  ignored: number;
  symlinksSkipped: number;
}

/**
 * Folders that belong to operating systems and NAS software, never to the music: walking them only
 * produces noise (Synology thumbnails, macOS resource forks, recycle bins).
 */
const SKIPPED_DIRS = new Set([
  '@eaDir',
  '.AppleDouble',
  '.Trashes',
  '.Spotlight-V100',
  '.fseventsd',
  '$RECYCLE.BIN',
  'System Volume Information',
  '.git',
  'lost+found',
]);

function isSkippedFile(name: string): boolean {
  // "._name" files are macOS resource forks on non-HFS drives: they carry the music's extension but no audio.
  return name.startsWith('._') || name === '.DS_Store' || name === 'Thumbs.db';
}

/**
 * Walks a folder tree depth-first, one directory at a time, without following symbolic links (so link
 * loops and links leaving the root cannot be entered; they are counted). Yields each directory's tracked
 * files so the caller can compare a whole directory with the database in one query. Memory stays bounded
 * by the deepest path's pending directories, not by the number of files.
 */
export async function* walkTree(
  root: Buffer,
  problems: WalkProblems,
  signal?: AbortSignal,
): AsyncGenerator<DirectoryListing> {
  const stack: Buffer[] = [root];
  while (stack.length) {
    if (signal?.aborted) throw new Error('scan aborted');
    const dirKey = stack.pop()!;
    let entries: Dirent<Buffer>[];
    try {
      entries = [];
      const dir = await opendir(dirKey, { encoding: 'buffer', bufferSize: 256 } as never);
      for await (const entry of dir as unknown as AsyncIterable<Dirent<Buffer>>) entries.push(entry);
    } catch (e) {
      problems.unreadableDirs.push(dirKey);
      problems.errors.push({ path: displayPath(dirKey).text, error: describeFsError(e) });
      continue;
    }
    const files: FoundFile[] = [];
    const subdirs: Buffer[] = [];
    for (const entry of entries) {
      const nameBytes = entry.name as unknown as Buffer;
      const name = displayPath(nameBytes).text;
      const pathKey = joinBytes(dirKey, nameBytes);
      if (entry.isSymbolicLink()) {
        problems.symlinksSkipped++;
        continue;
      }
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(name)) problems.ignored++;
        else subdirs.push(pathKey);
        continue;
      }
      if (!entry.isFile()) {
        problems.ignored++; // sockets, fifos, devices
        continue;
      }
      const kind = isSkippedFile(name) ? null : classifyFileName(name);
      if (!kind) {
        problems.ignored++;
        continue;
      }
      try {
        const st = await lstat(pathKey);
        files.push({ pathKey, dirKey, name, kind, size: st.size, mtimeMs: st.mtimeMs });
      } catch (e) {
        // Vanished between listing and stat, or unreadable: not recorded now, and not declared missing.
        problems.errors.push({ path: displayPath(pathKey).text, error: describeFsError(e) });
        problems.unreadableDirs.push(pathKey);
      }
    }
    // Reverse so that popping visits subdirectories in name order (stable, readable progress).
    subdirs.sort(Buffer.compare).reverse();
    stack.push(...subdirs);
    files.sort((a, b) => Buffer.compare(a.pathKey, b.pathKey));
    yield { dirKey, files };
  }
}

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'no longer exists',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EIO: 'input/output error (is the drive still connected?)',
    ENOTDIR: 'not a folder',
    ENAMETOOLONG: 'name too long',
    ELOOP: 'too many levels of symbolic links',
    ESTALE: 'stale network file handle (is the NAS still mounted?)',
  };
  return err?.code ? `${reasons[err.code] ?? err.code} (${err.code})` : String((e as Error)?.message ?? e);
}
