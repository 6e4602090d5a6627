import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { seededRandom } from '../../apps/executor/test/fault-scenario';

/** Where the benches' library keeps its files, relative to its folder: 97 album folders. */
export function libraryPaths(files: number): string[] {
  return Array.from({ length: files }, (_, i) =>
    path.join(`album ${i % 97}`, `${String(i).padStart(5, '0')} track.flac`),
  );
}

/**
 * The benches' library: `files` files of random bytes in 97 album folders, sizes exponential around
 * `meanKb`, from a fixed seed, so bench/executor/run.ts and profile.ts move the same files.
 */
export function buildLibrary(dir: string, files: number, meanKb: number): { rel: string[]; bytes: number } {
  const random = seededRandom(42);
  const rel = libraryPaths(files);
  let bytes = 0;
  rmSync(dir, { recursive: true, force: true });
  for (const r of rel) {
    const size = Math.floor(-Math.log(1 - random()) * meanKb * 1024); // exponential sizes around the mean
    mkdirSync(path.join(dir, path.dirname(r)), { recursive: true });
    writeFileSync(path.join(dir, r), randomBytes(size));
    bytes += size;
  }
  return { rel, bytes };
}
