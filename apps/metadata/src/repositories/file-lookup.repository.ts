import type { DataSource } from 'typeorm';
import type { FileKind } from '@crateflow/contracts';

export interface StageFile {
  id: string;
  /** The exact bytes of the path on disk (what the file is opened by). */
  pathKey: Buffer;
  /** The bytes of the folder's path. */
  dirKey: Buffer;
  /** Display path (NFC). */
  path: string;
  name: string;
  kind: FileKind;
  contentHash: string;
  missing: boolean;
}

const COLUMNS = `id, path_key, dir_key, path, name, kind, content_hash, missing_since IS NOT NULL AS missing`;

function toStageFile(r: Record<string, unknown>): StageFile {
  return {
    id: r.id as string,
    pathKey: r.path_key as Buffer,
    dirKey: r.dir_key as Buffer,
    path: r.path as string,
    name: r.name as string,
    kind: r.kind as FileKind,
    contentHash: (r.content_hash as string).trim(),
    missing: r.missing as boolean,
  };
}

/** Read-only view of `files` (owned by ingest): the file a message is about, and the files of its folder. */
export class FileLookupRepository {
  constructor(private readonly db: DataSource) {}

  async get(fileId: string): Promise<StageFile | null> {
    const rows: Record<string, unknown>[] = await this.db.query(`SELECT ${COLUMNS} FROM files WHERE id = $1`, [fileId]);
    return rows[0] ? toStageFile(rows[0]) : null;
  }
}

export { COLUMNS as FILE_LOOKUP_COLUMNS, toStageFile };
