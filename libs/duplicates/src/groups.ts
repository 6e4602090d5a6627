/**
 * Exact duplicates: files with the same SHA-256. Groups of two or more, largest first, so the
 * biggest savings come first in the list a person works through.
 */
export interface HashedFile {
  id: string;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
  size: number;
}

export interface ExactDuplicateGroup {
  sha256: string;
  /** Member ids in input order. */
  memberIds: string[];
  /** Bytes one copy takes. */
  size: number;
  /** Bytes taken by all copies but one. */
  redundantBytes: number;
}

export function groupExactDuplicates(files: Iterable<HashedFile>): ExactDuplicateGroup[] {
  const byHash = new Map<string, { ids: string[]; size: number }>();
  for (const f of files) {
    const key = f.sha256.toLowerCase();
    const group = byHash.get(key);
    if (group) group.ids.push(f.id);
    else byHash.set(key, { ids: [f.id], size: f.size });
  }
  const groups: ExactDuplicateGroup[] = [];
  for (const [sha256, { ids, size }] of byHash) {
    if (ids.length < 2) continue;
    groups.push({ sha256, memberIds: ids, size, redundantBytes: size * (ids.length - 1) });
  }
  return groups.sort(compareGroups);
}

/** Largest groups first: more copies first, then more wasted bytes, then by hash for a stable order. */
export function compareGroups(a: ExactDuplicateGroup, b: ExactDuplicateGroup): number {
  return (
    b.memberIds.length - a.memberIds.length ||
    b.redundantBytes - a.redundantBytes ||
    (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0)
  );
}
