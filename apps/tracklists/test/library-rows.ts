import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

export interface LibraryFile {
  id: string;
  name: string;
  contentHash: string;
}

/** A file row as ingest writes it, with tags as metadata writes them (for tests of the tracklists service). */
export async function insertFile(
  db: DataSource,
  f: {
    name: string;
    content?: string;
    durationSec?: number | null;
    artist?: string | null;
    title?: string | null;
    kind?: string;
  },
): Promise<LibraryFile> {
  const id = randomUUID();
  const contentHash = createHash('sha256')
    .update(f.content ?? f.name)
    .digest('hex');
  const p = `/music/${id}/${f.name}`;
  await db.query(
    `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, first_seen_scan_id, last_seen_scan_id)
     VALUES ($1, '/music', $2, $3, $4, $5, $6, $7, 1000, 1700000000000, $8, $9, $9)`,
    [
      id,
      p,
      Buffer.from(p),
      Buffer.from(`/music/${id}`),
      f.name,
      f.name.split('.').pop(),
      f.kind ?? 'music',
      contentHash,
      randomUUID(),
    ],
  );
  await db.query(
    `INSERT INTO file_metadata (file_id, content_hash, status, artist, title, duration_sec) VALUES ($1, $2, 'read', $3, $4, $5)`,
    [id, contentHash, f.artist ?? null, f.title ?? null, f.durationSec ?? null],
  );
  return { id, name: f.name, contentHash };
}
