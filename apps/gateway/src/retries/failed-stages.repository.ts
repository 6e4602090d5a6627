import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { FileKind, PipelineStage, StageStatus } from '@crateflow/contracts';

export interface FailedFile {
  file_id: string;
  content_hash: string;
  kind: FileKind;
  last_seen_scan_id: string;
  /** The previous stage's status and reason for the same content (null for the first stage). */
  previous_status: StageStatus | null;
  previous_reason: string | null;
}

/** Files a stage failed for their current content (file_stage_statuses and files, owned by ingest). */
@Injectable()
export class FailedStagesRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  failed(
    stage: PipelineStage,
    previous: PipelineStage | null,
    fileIds: string[] | undefined,
    limit: number,
  ): Promise<FailedFile[]> {
    return this.db.query(
      `SELECT f.id AS file_id, f.content_hash, f.kind, f.last_seen_scan_id,
              p.status AS previous_status, p.reason AS previous_reason
         FROM file_stage_statuses s
         JOIN files f ON f.id = s.file_id AND f.content_hash = s.content_hash AND f.missing_since IS NULL
         LEFT JOIN file_stage_statuses p ON p.file_id = f.id AND p.stage = $2 AND p.content_hash = f.content_hash
        WHERE s.stage = $1 AND s.status = 'failed' AND ($3::uuid[] IS NULL OR s.file_id = ANY($3::uuid[]))
        ORDER BY s.file_id
        LIMIT $4`,
      [stage, previous, fileIds ?? null, limit],
    );
  }
}
