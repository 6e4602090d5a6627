import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { PipelineStage, StageStatus } from '@crateflow/contracts';

export interface StageStatusRow {
  stage: PipelineStage;
  status: StageStatus;
  content_hash: string;
  reason: string | null;
  attempts: number;
  updated_at: Date;
}

/** Read model over `file_stage_statuses` (owned by ingest's lifecycle tracker). */
@Injectable()
export class FileStageStatusReadRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  forFile(fileId: string): Promise<StageStatusRow[]> {
    return this.db.query(
      `SELECT stage, status, content_hash, reason, attempts, updated_at FROM file_stage_statuses WHERE file_id = $1`,
      [fileId],
    );
  }
}
