import type { DataSource, EntityManager } from 'typeorm';
import {
  extensionOf,
  PIPELINE_STAGES,
  type FileState,
  type PipelineStage,
  type StageStatus,
  type Transition,
} from '@crateflow/contracts';
import { refreshAnalysisFactsSql, refreshStageFlagsSql } from '@crateflow/persistence';
import { displayPath } from '../scans/path-bytes';

/** Where an event stands against the round the lifecycle has entered (see LifecycleTx.roundOf). */
export type RoundStanding = { kind: 'current' | 'ahead'; generation: number } | { kind: 'stale' } | { kind: 'unknown' };

/** A stage outcome recorded for a round before the lifecycle entered it. */
export interface EarlyOutcome {
  stage: PipelineStage;
  status: StageStatus;
  reason: string | null;
}

/**
 * file_stage_statuses, file_history and the lifecycle columns of files (`state`, `lifecycle_generation`,
 * `stage_flags`, and the analysis read model `bpm`, `camelot`):
 * written only by ingest's lifecycle tracker. Every write is guarded by the file's round (generation) and the
 * content hash the event is about, so an event for content that has since changed, or a repeat, changes nothing.
 */
export class LifecycleRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(fn: (tx: LifecycleTx) => Promise<T>): Promise<T> {
    return this.db.transaction((manager) => fn(new LifecycleTx(manager)));
  }
}

const FINISHED: StageStatus[] = ['done', 'skipped', 'failed'];

export class LifecycleTx {
  constructor(private readonly m: EntityManager) {}

  /** TypeORM answers an UPDATE … RETURNING with [rows, affectedCount], unlike a SELECT. */
  private async returning<T>(sql: string, params: unknown[]): Promise<T[]> {
    const result: unknown[] = await this.m.query(sql, params);
    return (Array.isArray(result[0]) ? result[0] : result) as T[];
  }

  /**
   * Enters the round (generation) a `discovered`/`changed` event speaks of, once: the file must be in that
   * round with that content, and the lifecycle must not have entered it yet. Returns the round entered, or
   * null for an unknown file, a repeat, or an event about an older round. An event without a generation
   * (published before generations existed) speaks of the file's current round.
   */
  async enterRound(fileId: string, contentHash: string, generation?: number): Promise<number | null> {
    const rows = await this.returning<{ generation: number }>(
      `UPDATE files SET lifecycle_generation = generation
        WHERE id = $1 AND content_hash = $2 AND lifecycle_generation < generation
          AND ($3::int IS NULL OR generation = $3::int)
        RETURNING generation`,
      [fileId, contentHash, generation ?? null],
    );
    return rows[0] ? Number(rows[0].generation) : null;
  }

  /**
   * Where an event of round `generation` about `contentHash` stands: the round the lifecycle is in (current),
   * a round the file has reached but the lifecycle has not entered yet (ahead: the outcome overtook its
   * `changed` event), an older round or other content (stale), or an unknown file. Locks the file row, so a
   * concurrent `changed` cannot enter a round between this check and the write.
   */
  async roundOf(fileId: string, contentHash: string, generation?: number): Promise<RoundStanding> {
    const [file] = await this.m.query(
      `SELECT content_hash, generation, lifecycle_generation FROM files WHERE id = $1 FOR UPDATE`,
      [fileId],
    );
    if (!file) return { kind: 'unknown' };
    if (file.content_hash.trim() !== contentHash) return { kind: 'stale' };
    const entered = Number(file.lifecycle_generation);
    if (generation === undefined) return { kind: 'current', generation: entered };
    if (generation === entered) return { kind: 'current', generation };
    if (generation > entered && generation === Number(file.generation)) return { kind: 'ahead', generation };
    return { kind: 'stale' };
  }

  /** Every stage back to pending for a new round, except statuses already recorded for that round. */
  async resetStages(fileId: string, contentHash: string, generation: number): Promise<void> {
    await this.m.query(
      `INSERT INTO file_stage_statuses (file_id, stage, status, content_hash, reason, attempts, generation)
       SELECT $1, s, 'pending', $2, NULL, 0, $4 FROM unnest($3::text[]) AS s
       ON CONFLICT (file_id, stage) DO UPDATE SET status = 'pending', content_hash = excluded.content_hash,
         reason = NULL, attempts = 0, generation = excluded.generation, updated_at = now()
       WHERE file_stage_statuses.generation < excluded.generation`,
      [fileId, contentHash, [...PIPELINE_STAGES], generation],
    );
    await this.refreshStageFlags(fileId);
  }

  /**
   * Keeps `files.stage_flags` (the file list's read model of these statuses) equal to the file's failed and
   * skipped statuses. Recomputed from file_stage_statuses in the same transaction as every write to them, so
   * a redelivered event finds it already right and writes nothing.
   */
  /**
   * Keeps `files.bpm` and `files.camelot` (the file list's read model of the analysis of the file's current
   * content) equal to file_analysis; a file whose facts are already right is not written.
   */
  async refreshAnalysisFacts(fileId: string): Promise<void> {
    await this.m.query(refreshAnalysisFactsSql('f.id = $1'), [fileId]);
  }

  private async refreshStageFlags(fileId: string): Promise<void> {
    await this.m.query(refreshStageFlagsSql('f.id = $1'), [fileId]);
  }

  /** Outcomes recorded for `generation` before the lifecycle entered it, in chain order. */
  async earlyOutcomes(fileId: string, generation: number): Promise<EarlyOutcome[]> {
    const rows: EarlyOutcome[] = await this.m.query(
      `SELECT stage, status, reason FROM file_stage_statuses
        WHERE file_id = $1 AND generation = $2 AND status = ANY($3::text[])`,
      [fileId, generation, FINISHED],
    );
    return rows.sort((a, b) => PIPELINE_STAGES.indexOf(a.stage) - PIPELINE_STAGES.indexOf(b.stage));
  }

  /** Records that a scan found the file gone, once per scan however often the event is delivered. */
  async missingOnce(fileId: string, scanId: string): Promise<void> {
    await this.m.query(`SELECT 1 FROM files WHERE id = $1 FOR UPDATE`, [fileId]); // two deliveries at once: one row
    await this.m.query(
      `INSERT INTO file_history (file_id, event, from_state, to_state, detail)
       SELECT $1, 'missing', NULL, NULL, jsonb_build_object('scanId', $2::text)
        WHERE NOT EXISTS (SELECT 1 FROM file_history WHERE file_id = $1 AND event = 'missing' AND detail->>'scanId' = $2::text)`,
      [fileId, scanId],
    );
  }

  /**
   * Records a stage status for round `generation` (checked by the caller with roundOf()). A status of an
   * older round is replaced; within the round, `running` only replaces `pending` (a late "started" must not
   * undo a finish) and a finished status replaces pending, running or a different finish. Returns false when
   * nothing changed (a repeat).
   */
  async setStageStatus(
    fileId: string,
    contentHash: string,
    stage: PipelineStage,
    status: StageStatus,
    generation: number,
    reason?: string,
  ): Promise<boolean> {
    const onlyFrom = status === 'running' ? `AND file_stage_statuses.status = 'pending'` : '';
    const rows = await this.m.query(
      `INSERT INTO file_stage_statuses (file_id, stage, status, content_hash, reason, attempts, generation)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $3 = 'running' THEN 1 ELSE 0 END, $6)
       ON CONFLICT (file_id, stage) DO UPDATE SET status = excluded.status, reason = excluded.reason,
         content_hash = excluded.content_hash, generation = excluded.generation,
         attempts = CASE WHEN file_stage_statuses.generation < excluded.generation THEN 0 ELSE file_stage_statuses.attempts END
           + CASE WHEN excluded.status = 'running' THEN 1 ELSE 0 END,
         updated_at = now()
       WHERE file_stage_statuses.generation < excluded.generation
          OR (file_stage_statuses.generation = excluded.generation ${onlyFrom}
              AND (file_stage_statuses.status IN ('pending', 'running') OR file_stage_statuses.status <> excluded.status))
       RETURNING 1`,
      [fileId, stage, status, contentHash, reason ?? null, generation],
    );
    if (rows.length > 0) await this.refreshStageFlags(fileId);
    return rows.length > 0;
  }

  /**
   * The guarded conditional update: moves the file only from a state the transition table allows, and
   * only while its content is the content the event speaks of. Returns the previous state when it moved.
   */
  async transition(fileId: string, t: Transition, contentHash?: string): Promise<FileState | null> {
    const rows = await this.returning<{ previous: FileState }>(
      `UPDATE files f SET state = $2, updated_at = now()
         FROM (SELECT id, state AS previous FROM files WHERE id = $1 FOR UPDATE) old
        WHERE f.id = old.id AND f.state = ANY($3::text[]) AND ($4::text IS NULL OR f.content_hash = $4)
        RETURNING old.previous`,
      [fileId, t.to, [...t.from], contentHash ?? null],
    );
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

  /**
   * A copy (or hard link) of `sourceId` the executor made at `pathKey`: a row of its own, with the hash the
   * executor verified (nothing is hashed again), linked to its source, in `state` with its first round
   * already entered (the pipeline does not run again on the same bytes). A repeat changes nothing, and so
   * does a late repeat of a copy an undo has removed since. A row a scan already made at that path is
   * linked to the source when it holds the same content. Returns what was done.
   */
  async recordCopy(c: {
    copyId: string;
    sourceId: string;
    executionId: string;
    root: string;
    pathKey: Buffer;
    size: number;
    mtimeMs: number;
    contentHash: string;
    state: FileState;
  }): Promise<'created' | 'linked' | null> {
    const slash = c.pathKey.lastIndexOf(0x2f);
    const dirKey = slash > 0 ? c.pathKey.subarray(0, slash) : Buffer.from('/');
    const display = displayPath(c.pathKey);
    const name = displayPath(c.pathKey.subarray(slash + 1)).text;
    const created = await this.returning<{ id: string }>(
      `INSERT INTO files (id, root, path, path_key, path_is_utf8, dir_key, name, ext, kind, size, mtime_ms, content_hash,
                          state, first_seen_scan_id, last_seen_scan_id, generation, lifecycle_generation, copied_from_file_id)
       SELECT $1::uuid, $2, $3, $4, $5, $6, $7, $8, s.kind, $9, $10, $11, $12, $13::uuid, $13::uuid, 1, 1, s.id
         FROM files s
        WHERE s.id = $14::uuid
          AND NOT EXISTS (SELECT 1 FROM file_history h WHERE h.file_id = $14::uuid AND h.event = 'execution.copy-removed'
                                                         AND h.detail->>'copyFileId' = $1::uuid::text)
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        c.copyId,
        c.root,
        display.text,
        c.pathKey,
        display.isUtf8,
        dirKey,
        name,
        extensionOf(name),
        c.size,
        c.mtimeMs,
        c.contentHash,
        c.state,
        c.executionId,
        c.sourceId,
      ],
    );
    if (created.length) return 'created';
    const linked = await this.returning<{ id: string }>(
      `UPDATE files SET copied_from_file_id = $2, updated_at = now()
        WHERE path_key = $3 AND id <> $1 AND copied_from_file_id IS NULL AND content_hash = $4 AND id <> $2
        RETURNING id`,
      [c.copyId, c.sourceId, c.pathKey, c.contentHash],
    );
    return linked.length ? 'linked' : null;
  }

  /**
   * An undo removed a copy from disk: its row goes, with the ingest-owned rows about it (the copy never ran
   * through the pipeline, so no other service holds anything about it). A tombstone in the source's history
   * keeps a late repeat of the copy event from bringing the row back. True when a row was removed.
   */
  async removeCopy(copyId: string, sourceId: string, executionId: string): Promise<boolean> {
    const removed = await this.returning<{ id: string }>(
      `DELETE FROM files WHERE id = $1 AND copied_from_file_id = $2 RETURNING id`,
      [copyId, sourceId],
    );
    if (removed.length) {
      await this.m.query(`DELETE FROM file_stage_statuses WHERE file_id = $1`, [copyId]);
      await this.m.query(`DELETE FROM file_history WHERE file_id = $1`, [copyId]);
    }
    await this.history(sourceId, 'execution.copy-removed', null, null, { copyFileId: copyId, executionId });
    return removed.length > 0;
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
