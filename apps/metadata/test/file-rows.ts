import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DataSource } from 'typeorm';
import { classifyFileName, extensionOf, type FileKind } from '@crateflow/contracts';

export interface FileRow {
  id: string;
  path: string;
  kind: FileKind;
  contentHash: string;
  dirKey: Buffer;
}

/**
 * Records real files in `files` the way ingest does (exact path bytes, folder bytes, NFC display path,
 * SHA-256 of the content), so the metadata stage can be tested without running a scan.
 */
export async function recordFiles(db: DataSource, paths: string[]): Promise<FileRow[]> {
  const scanId = randomUUID();
  const rows = paths.map((p) => {
    const name = path.basename(p);
    const kind = classifyFileName(name);
    if (!kind) throw new Error(`${name} is not a kind ingest records`);
    return {
      id: randomUUID(),
      path: p.normalize('NFC'),
      pathKey: Buffer.from(p, 'utf8'),
      dirKey: Buffer.from(path.dirname(p), 'utf8'),
      name: name.normalize('NFC'),
      ext: extensionOf(name),
      kind,
      size: readFileSync(p).length,
      contentHash: createHash('sha256').update(readFileSync(p)).digest('hex'),
    };
  });
  await db.query(
    `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, first_seen_scan_id, last_seen_scan_id)
     SELECT u.id, '/', u.path, u.path_key, u.dir_key, u.name, u.ext, u.kind, u.size, 1700000000000, u.content_hash, $10, $10
       FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::bytea[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[])
         AS u(id, path, path_key, dir_key, name, ext, kind, size, content_hash)`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.path),
      rows.map((r) => r.pathKey),
      rows.map((r) => r.dirKey),
      rows.map((r) => r.name),
      rows.map((r) => r.ext),
      rows.map((r) => r.kind),
      rows.map((r) => r.size),
      rows.map((r) => r.contentHash),
      scanId,
    ],
  );
  return rows.map(({ id, path: p, kind, contentHash, dirKey }) => ({ id, path: p, kind, contentHash, dirKey }));
}
