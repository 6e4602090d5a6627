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

/** True when `p` is `root` or lies below it (both absolute and normalised). */
function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves a requested folder and checks it lies inside one of the configured library roots, with
 * symlinks resolved on both sides (a link inside a root that points elsewhere is outside).
 *
 * Containment comes before inspection: the path is first normalised and checked against the roots as
 * written (and as resolved), and only a path inside them is looked at on disk. So the answer for a path
 * outside the roots is the same whether it exists or not, and says nothing about the disk.
 */
export async function resolveLibraryPath(requested: string, roots: string[]): Promise<ResolvedLibraryPath> {
  if (typeof requested !== 'string' || !requested.trim()) throw new LibraryPathError('path is required');
  if (requested.includes('\0')) throw new LibraryPathError('path contains a NUL character');
  if (!path.isAbsolute(requested)) throw new LibraryPathError('path must be absolute');
  if (!roots.length) throw new LibraryPathError('no library roots are configured (set CRATEFLOW_LIBRARY_ROOTS)');
  const outside = new LibraryPathError(`path is outside the configured library roots (${roots.join(', ')})`);
  const normalised = path.resolve(requested);
  const realRoots = (await Promise.all(roots.map((r) => realpath(r).catch(() => null)))).filter(
    (r): r is string => r !== null,
  );
  const candidates = [...roots.map((r) => path.resolve(r)), ...realRoots];
  if (!candidates.some((root) => isInside(root, normalised))) throw outside;

  let real: string;
  try {
    real = await realpath(normalised);
  } catch (e) {
    throw new LibraryPathError(`path is not reachable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const root = realRoots.find((r) => isInside(r, real));
  if (!root) throw outside; // a symlink inside a root that leads out of it
  const st = await stat(real).catch(() => null);
  if (!st?.isDirectory()) throw new LibraryPathError('path is not a folder');
  return { root, path: real };
}

/**
 * The library roots a service works with: those configured (CRATEFLOW_LIBRARY_ROOTS) plus the executor's
 * output root (CRATEFLOW_OUTPUT_ROOT), unless it already lies inside one of them. Copies and hard links
 * land there and are files of the library like any other (each its own `files` row), so a scan of the
 * output root must be allowed without anyone having to remember to list it twice.
 */
export function withOutputRoot(roots: string[], outputRoot: string | null | undefined): string[] {
  const out = outputRoot?.trim();
  if (!out || !path.isAbsolute(out)) return roots;
  const resolved = path.resolve(out);
  return roots.some((r) => isInside(path.resolve(r), resolved)) ? roots : [...roots, out];
}
