import { readdir } from 'node:fs/promises';
import * as path from 'node:path';

const fold = (s: string) => s.normalize('NFC').toLowerCase();

/**
 * Reads folder listings of the library (read-only) to find a file already on disk at a proposed
 * destination, compared case-insensitively after NFC (archives live on case-insensitive drives). Listings
 * are cached briefly, so a generation over a large library reads each folder once.
 */
export class DiskListingRepository {
  private readonly cache = new Map<string, { at: number; names: Map<string, string> | null }>();

  constructor(private readonly ttlMs = 30_000) {}

  private async list(dir: string): Promise<Map<string, string> | null> {
    const hit = this.cache.get(dir);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.names;
    let names: Map<string, string> | null = null;
    try {
      names = new Map((await readdir(dir)).map((n) => [fold(n), n]));
    } catch {
      names = null; // not there yet (the executor creates it) or unreadable: nothing to collide with
    }
    if (this.cache.size > 5000) this.cache.clear();
    this.cache.set(dir, { at: Date.now(), names });
    return names;
  }

  /**
   * The relative path of an existing entry the destination would collide with, or null. The destination is
   * under the file's library root: `folder` (relative, already validated) or, when null, its own folder.
   */
  async collision(
    root: string,
    currentFolder: string,
    currentName: string,
    folder: string | null,
    name: string,
  ): Promise<string | null> {
    const relDir = folder ?? currentFolder;
    // The file itself is no collision (a rename that only changes case lands on itself).
    if (fold(relDir) === fold(currentFolder) && fold(name) === fold(currentName)) return null;
    const abs = path.resolve(root, relDir);
    const rootAbs = path.resolve(root);
    if (abs !== rootAbs && !abs.startsWith(rootAbs + path.sep)) return null;
    const names = await this.list(abs);
    const existing = names?.get(fold(name));
    return existing ? (relDir ? `${relDir}/${existing}` : existing) : null;
  }
}
