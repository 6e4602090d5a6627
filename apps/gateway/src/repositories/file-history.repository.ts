import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

export interface FileHistoryRow {
  /** bigserial, as pg returns it. */
  id: string;
  event: string;
  from_state: string | null;
  to_state: string | null;
  detail: Record<string, unknown> | null;
  at: Date;
}

/** Read model over `file_history` (owned by ingest). */
@Injectable()
export class FileHistoryReadRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  /** Newest first, served by file_history_file_id_idx (file_id, id). */
  latest(fileId: string, limit: number): Promise<FileHistoryRow[]> {
    return this.db.query(
      // Ordered by the bigint column (h.id), not the text alias of the same name.
      `SELECT h.id::text AS id, h.event, h.from_state, h.to_state, h.detail, h.at FROM file_history h
        WHERE h.file_id = $1 ORDER BY h.id DESC LIMIT $2`,
      [fileId, limit],
    );
  }
}
