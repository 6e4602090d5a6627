import { realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';

/** A requested path outside every configured library root, or one that cannot be scanned. */
export class LibraryPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LibraryPathError';
  }
}

export interface ResolvedLibraryPath {
  /** The configured root (resolved) that contains the path. */
  root: string;
  /** The requested path with every symlink resolved. */
  path: string;
}

/**
 * Resolves a requested folder and checks it lies inside one of the configured library roots, with
 * symlinks resolved on both sides (a link inside a root that points elsewhere is outside).
 */
export async function resolveLibraryPath(requested: string, roots: string[]): Promise<ResolvedLibraryPath> {
  if (typeof requested !== 'string' || !requested.trim()) throw new LibraryPathError('path is required');
  if (requested.includes('\0')) throw new LibraryPathError('path contains a NUL character');
  if (!path.isAbsolute(requested)) throw new LibraryPathError('path must be absolute');
  if (!roots.length) throw new LibraryPathError('no library roots are configured (set CRATEFLOW_LIBRARY_ROOTS)');
  let real: string;
  try {
    real = await realpath(requested);
  } catch (e) {
    throw new LibraryPathError(`path is not reachable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const st = await stat(real).catch(() => null);
  if (!st?.isDirectory()) throw new LibraryPathError('path is not a folder');
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => null);
    if (!realRoot) continue;
    const rel = path.relative(realRoot, real);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return { root: realRoot, path: real };
  }
  throw new LibraryPathError(`path is outside the configured library roots (${roots.join(', ')})`);
}
