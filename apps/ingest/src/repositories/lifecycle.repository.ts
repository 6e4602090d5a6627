import type { DataSource, EntityManager } from 'typeorm';
import {
  extensionOf,
  PIPELINE_STAGES,
  type FileState,
  type PipelineStage,
  type StageStatus,
  type Transition,
} from '@crateflow/contracts';
import { displayPath } from '../scans/path-bytes';

/**
 * file_stage_statuses, file_history and the `state` column of files: written only by ingest's lifecycle
 * tracker. Every write is guarded by the content hash the event is about, so an event for content that
 * has since changed (a stale or redelivered one) changes nothing.
 */
export class LifecycleRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(fn: (tx: LifecycleTx) => Promise<T>): Promise<T> {
    return this.db.transaction((manager) => fn(new LifecycleTx(manager)));
  }
}

export class LifecycleTx {
  constructor(private readonly m: EntityManager) {}

  /** Every stage back to pending for this content (new file, or content changed). Rows for the same content stay. */
  async resetStages(fileId: string, contentHash: string): Promise<void> {
    await this.m.query(
      `INSERT INTO file_stage_statuses (file_id, stage, status, content_hash, reason, attempts)
       SELECT $1, s, 'pending', $2, NULL, 0 FROM unnest($3::text[]) AS s
       ON CONFLICT (file_id, stage) DO UPDATE SET status = 'pending', content_hash = excluded.content_hash,
         reason = NULL, attempts = 0, updated_at = now()
       WHERE file_stage_statuses.content_hash <> excluded.content_hash`,
      [fileId, contentHash, [...PIPELINE_STAGES]],
    );
  }

  /**
   * Records a stage status. `running` only replaces `pending` (a late "started" must not undo a finish);
   * a finished status replaces anything for the same content. Returns false when the event is stale.
   */
  async setStageStatus(
    fileId: string,
    contentHash: string,
    stage: PipelineStage,
    status: StageStatus,
    reason?: string,
  ): Promise<boolean> {
    const [file] = await this.m.query(`SELECT content_hash FROM files WHERE id = $1`, [fileId]);
    if (!file || file.content_hash.trim() !== contentHash) return false;
    const onlyFrom = status === 'running' ? `AND file_stage_statuses.status = 'pending'` : '';
    const rows = await this.m.query(
      `INSERT INTO file_stage_statuses (file_id, stage, status, content_hash, reason, attempts)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $3 = 'running' THEN 1 ELSE 0 END)
       ON CONFLICT (file_id, stage) DO UPDATE SET status = excluded.status, reason = excluded.reason,
         content_hash = excluded.content_hash,
         attempts = file_stage_statuses.attempts + CASE WHEN excluded.status = 'running' THEN 1 ELSE 0 END,
         updated_at = now()
       WHERE file_stage_statuses.content_hash = excluded.content_hash ${onlyFrom}
       RETURNING 1`,
      [fileId, stage, status, contentHash, reason ?? null],
    );
    return rows.length > 0;
  }

  /**
   * The guarded conditional update: moves the file only from a state the transition table allows, and
   * only while its content is the content the event speaks of. Returns the previous state when it moved.
   */
  async transition(fileId: string, t: Transition, contentHash?: string): Promise<FileState | null> {
    const result: unknown[] = await this.m.query(
      `UPDATE files f SET state = $2, updated_at = now()
         FROM (SELECT id, state AS previous FROM files WHERE id = $1 FOR UPDATE) old
        WHERE f.id = old.id AND f.state = ANY($3::text[]) AND ($4::text IS NULL OR f.content_hash = $4)
        RETURNING old.previous`,
      [fileId, t.to, [...t.from], contentHash ?? null],
    );
    // TypeORM answers an UPDATE … RETURNING with [rows, affectedCount], unlike a SELECT.
    const rows = (Array.isArray(result[0]) ? result[0] : result) as { previous: FileState }[];
    return rows[0]?.previous ?? null;
  }

  /**
   * Records a file's new place after the executor moved it (same id, same content). Refused (false) when
   * another row already holds that path or the content is not the one the move was about.
   */
  async relocate(
    fileId: string,
    contentHash: string,
    pathKey: Buffer,
    size: number,
    mtimeMs: number,
  ): Promise<boolean> {
    const slash = pathKey.lastIndexOf(0x2f);
    const dirKey = slash > 0 ? pathKey.subarray(0, slash) : Buffer.from('/');
    const display = displayPath(pathKey);
    const name = displayPath(pathKey.subarray(slash + 1)).text;
    const result: unknown[] = await this.m.query(
      `UPDATE files SET path = $3, path_key = $4, path_is_utf8 = $5, dir_key = $6, name = $7, ext = $8, size = $9,
              mtime_ms = $10, missing_since = NULL, missing_scan_id = NULL, updated_at = now()
        WHERE id = $1 AND content_hash = $2
          AND NOT EXISTS (SELECT 1 FROM files o WHERE o.path_key = $4 AND o.id <> $1)
        RETURNING id`,
      [fileId, contentHash, display.text, pathKey, display.isUtf8, dirKey, name, extensionOf(name), size, mtimeMs],
    );
    const rows = (Array.isArray(result[0]) ? result[0] : result) as unknown[];
    return rows.length > 0;
  }

  async history(
    fileId: string,
    event: string,
    from: string | null,
    to: string | null,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    await this.m.query(
      `INSERT INTO file_history (file_id, event, from_state, to_state, detail) VALUES ($1, $2, $3, $4, $5)`,
      [fileId, event, from, to, detail ?? null],
    );
  }

  /**
   * What decides where an un-resolved duplicate returns to: its state before the resolution (history), the
   * furthest pipeline stage finished for its current content, and whether the proposer stored a proposal
   * for that content (a live row in `proposals`, read-only here).
   */
  async restoreFacts(
    fileId: string,
    contentHash: string,
    resolutionId: string,
  ): Promise<{ before: FileState | null; lastFinishedStage: PipelineStage | null; proposerDone: boolean }> {
    const [before] = await this.m.query(
      `SELECT from_state FROM file_history WHERE file_id = $1 AND event = 'duplicate-resolved'
          AND detail->>'resolutionId' = $2 ORDER BY id DESC LIMIT 1`,
      [fileId, resolutionId],
    );
    const stages: { stage: PipelineStage; status: StageStatus }[] = await this.m.query(
      `SELECT stage, status FROM file_stage_statuses WHERE file_id = $1 AND content_hash = $2`,
      [fileId, contentHash],
    );
    const finished = new Set(
      stages.filter((s) => s.status === 'done' || s.status === 'skipped' || s.status === 'failed').map((s) => s.stage),
    );
    const lastFinishedStage = [...PIPELINE_STAGES].reverse().find((s) => finished.has(s)) ?? null;
    const proposals = await this.m.query(
      `SELECT 1 FROM proposals WHERE file_id = $1 AND content_hash = $2 AND status <> 'superseded' LIMIT 1`,
      [fileId, contentHash],
    );
    return { before: (before?.from_state as FileState) ?? null, lastFinishedStage, proposerDone: proposals.length > 0 };
  }

  async fileExists(fileId: string): Promise<boolean> {
    const rows = await this.m.query(`SELECT 1 FROM files WHERE id = $1`, [fileId]);
    return rows.length > 0;
  }
}
