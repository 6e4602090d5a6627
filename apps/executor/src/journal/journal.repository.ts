import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { displayPath } from '../protocol/path-bytes';
import type {
  ClaimMethod,
  DestinationResult,
  JournalOperation,
  NewOperation,
  OperationPatch,
  OperationStatus,
  Phase,
} from './operation';

type Row = Record<string, unknown>;

const OPERATION_COLUMNS = `id, execution_id, seq, kind, role, file_id, plan_item_id, parent_operation_id, undo_of_operation_id,
  source_path, source_key, destination_path, destination_key, temp_key, temp_ino, method, size, mtime_ms, dev, ino,
  content_hash, created_dirs, phase, status, error, error_code, result, attempts`;

function toOperation(r: Row): JournalOperation {
  return {
    id: r.id as string,
    executionId: r.execution_id as string,
    seq: r.seq as number,
    kind: r.kind as JournalOperation['kind'],
    role: r.role as JournalOperation['role'],
    fileId: (r.file_id as string | null) ?? null,
    planItemId: (r.plan_item_id as string | null) ?? null,
    parentOperationId: (r.parent_operation_id as string | null) ?? null,
    undoOfOperationId: (r.undo_of_operation_id as string | null) ?? null,
    source: r.source_key as Buffer,
    sourcePath: r.source_path as string,
    destination: r.destination_key as Buffer,
    destinationPath: r.destination_path as string,
    temp: (r.temp_key as Buffer | null) ?? null,
    tempIno: (r.temp_ino as string | null) ?? null,
    method: (r.method as ClaimMethod | null) ?? null,
    expected: {
      size: Number(r.size),
      mtimeMs: Number(r.mtime_ms),
      dev: (r.dev as string | null) ?? null,
      ino: (r.ino as string | null) ?? null,
    },
    contentHash: (r.content_hash as string).trim(),
    createdDirs: (r.created_dirs as Buffer[] | null) ?? [],
    phase: r.phase as Phase,
    status: r.status as OperationStatus,
    error: (r.error as string | null) ?? null,
    errorCode: (r.error_code as string | null) ?? null,
    result: (r.result as DestinationResult | null) ?? null,
    attempts: Number(r.attempts),
  };
}

export interface StepRecord {
  op: JournalOperation;
  phase: Phase;
  patch?: OperationPatch;
  detail?: Record<string, unknown>;
  /** Status written to the audit step; defaults from the phase. */
  stepStatus?: string;
}

/**
 * The write-ahead journal in PostgreSQL (tables owned by executor). `record` commits a step before the
 * caller makes the change it describes; several steps may share one commit (a chunk of same-filesystem
 * moves), each still committed before its own change.
 */
export class JournalRepository {
  constructor(
    private readonly db: DataSource,
    /** Told of every committed step (metrics). */
    private readonly onRecorded?: (steps: StepRecord[]) => void,
  ) {}

  async createExecution(args: {
    id?: string;
    planId?: string | null;
    kind: 'run' | 'undo';
    undoOf?: string | null;
    mode: string;
    options?: Record<string, unknown>;
    operations: NewOperation[];
    status?: 'queued' | 'running';
  }): Promise<string> {
    const id = args.id ?? randomUUID();
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO executions (id, plan_id, kind, undo_of, mode, status, options) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          id,
          args.planId ?? null,
          args.kind,
          args.undoOf ?? null,
          args.mode,
          args.status ?? 'queued',
          args.options ?? {},
        ],
      );
      for (let i = 0; i < args.operations.length; i += 1000) {
        const chunk = args.operations.slice(i, i + 1000);
        await tx.query(
          `INSERT INTO execution_operations (id, execution_id, seq, kind, role, file_id, plan_item_id, parent_operation_id,
             undo_of_operation_id, source_path, source_key, destination_path, destination_key, size, mtime_ms, dev, ino,
             content_hash, phase, status)
           SELECT u.id, $1, u.seq, u.kind, u.role, u.file_id, u.plan_item_id, u.parent_operation_id, u.undo_of,
                  u.source_path, u.source_key, u.destination_path, u.destination_key, u.size, u.mtime_ms, u.dev, u.ino,
                  u.content_hash, 'pending', 'pending'
             FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::uuid[], $9::uuid[],
                         $10::text[], $11::bytea[], $12::text[], $13::bytea[], $14::bigint[], $15::float8[], $16::text[],
                         $17::text[], $18::text[])
               AS u(id, seq, kind, role, file_id, plan_item_id, parent_operation_id, undo_of, source_path, source_key,
                    destination_path, destination_key, size, mtime_ms, dev, ino, content_hash)`,
          [
            id,
            chunk.map((o) => o.id ?? randomUUID()),
            chunk.map((_, j) => i + j),
            chunk.map((o) => o.kind),
            chunk.map((o) => o.role),
            chunk.map((o) => o.fileId ?? null),
            chunk.map((o) => o.planItemId ?? null),
            chunk.map((o) => o.parentOperationId ?? null),
            chunk.map((o) => o.undoOfOperationId ?? null),
            chunk.map((o) => displayPath(o.source)),
            chunk.map((o) => o.source),
            chunk.map((o) => displayPath(o.destination)),
            chunk.map((o) => o.destination),
            chunk.map((o) => o.expected.size),
            chunk.map((o) => o.expected.mtimeMs),
            chunk.map((o) => o.expected.dev),
            chunk.map((o) => o.expected.ino),
            chunk.map((o) => o.contentHash),
          ],
        );
      }
    });
    return id;
  }

  async operationsOf(executionId: string): Promise<JournalOperation[]> {
    const rows: Row[] = await this.db.query(
      `SELECT ${OPERATION_COLUMNS} FROM execution_operations WHERE execution_id = $1 ORDER BY seq`,
      [executionId],
    );
    return rows.map(toOperation);
  }

  /** Operations of the undo executions of `executionId` (to know what is already reversed). */
  async operationsOfUndos(executionId: string): Promise<JournalOperation[]> {
    const rows: Row[] = await this.db.query(
      `SELECT ${OPERATION_COLUMNS.replace(/(\w+)/g, 'o.$1')} FROM execution_operations o JOIN executions e ON e.id = o.execution_id
        WHERE e.undo_of = $1 ORDER BY e.created_at, o.seq`,
      [executionId],
    );
    return rows.map(toOperation);
  }

  async operation(id: string): Promise<JournalOperation | null> {
    const rows: Row[] = await this.db.query(`SELECT ${OPERATION_COLUMNS} FROM execution_operations WHERE id = $1`, [
      id,
    ]);
    return rows.length ? toOperation(rows[0]) : null;
  }

  /** Operations a crash may have left between two phases (anything started and not finished). */
  async interruptedOperations(): Promise<JournalOperation[]> {
    const rows: Row[] = await this.db.query(
      `SELECT ${OPERATION_COLUMNS} FROM execution_operations WHERE status = 'running' ORDER BY execution_id, seq`,
    );
    return rows.map(toOperation);
  }

  /**
   * Commits journal steps: each operation's new phase (and fields), plus one audit row per step. The
   * caller acts on disk only after this returns.
   */
  async record(steps: StepRecord[]): Promise<void> {
    if (!steps.length) return;
    // One statement per step (the update and its audit row together); one step needs no transaction.
    if (steps.length === 1) await this.applyStep(this.db, steps[0]);
    else {
      await this.db.transaction(async (tx) => {
        for (const s of steps) await this.applyStep(tx, s);
      });
    }
    this.onRecorded?.(steps);
  }

  private async applyStep(db: EntityManager | DataSource, s: StepRecord): Promise<void> {
    const p = s.patch ?? {};
    const status: OperationStatus =
      p.status ??
      (s.phase === 'done' ? 'done' : s.phase === 'failed' ? 'failed' : s.phase === 'pending' ? 'pending' : 'running');
    const terminal = status === 'done' || status === 'failed' || status === 'skipped';
    const rows: unknown[] = await db.query(
      `WITH changed AS (
         UPDATE execution_operations SET
           phase = $2, status = $3,
           temp_key = CASE WHEN $4::bool THEN $5::bytea ELSE temp_key END,
           temp_ino = CASE WHEN $6::bool THEN $7::text ELSE temp_ino END,
           method = COALESCE($8, method),
           created_dirs = COALESCE($9::bytea[], created_dirs),
           error = CASE WHEN $10::bool THEN $11::text ELSE error END,
           error_code = CASE WHEN $10::bool THEN $12::text ELSE error_code END,
           result = COALESCE($13::jsonb, result),
           attempts = COALESCE($14, attempts),
           started_at = COALESCE(started_at, CASE WHEN $3 = 'running' THEN now() END),
           finished_at = CASE WHEN $15::bool THEN now() ELSE NULL END,
           updated_at = now()
         WHERE id = $1
         RETURNING id, execution_id)
       INSERT INTO execution_steps (execution_id, operation_id, phase, status, source_path, destination_path, detail)
       SELECT execution_id, id, $2, $16, $17, $18, $19 FROM changed
       RETURNING id`,
      [
        s.op.id,
        s.phase,
        status,
        'temp' in p,
        p.temp ?? null,
        'tempIno' in p,
        p.tempIno ?? null,
        p.method ?? null,
        p.createdDirs ?? null,
        'error' in p,
        p.error ?? null,
        p.errorCode ?? null,
        p.result ? JSON.stringify(p.result) : null,
        p.attempts ?? null,
        terminal,
        s.stepStatus ?? status,
        s.op.sourcePath,
        s.op.destinationPath,
        s.detail ? JSON.stringify(s.detail) : null,
      ],
    );
    if (!rows.length) throw new Error(`journal: operation ${s.op.id} does not exist`);
    // Keep the in-memory operation in step with what is now committed.
    s.op.phase = s.phase;
    s.op.status = status;
    if ('temp' in p) s.op.temp = p.temp ?? null;
    if ('tempIno' in p) s.op.tempIno = p.tempIno ?? null;
    if (p.method) s.op.method = p.method;
    if (p.createdDirs) s.op.createdDirs = p.createdDirs;
    if ('error' in p) {
      s.op.error = p.error ?? null;
      s.op.errorCode = p.errorCode ?? null;
    }
    if (p.result) s.op.result = p.result;
    if (p.attempts !== undefined) s.op.attempts = p.attempts;
  }

  async setExecutionStatus(id: string, status: string, error?: string | null): Promise<void> {
    await this.db.query(
      `UPDATE executions SET status = $2, error = $3,
         started_at = COALESCE(started_at, CASE WHEN $2 = 'running' THEN now() END),
         finished_at = CASE WHEN $2 IN ('completed', 'failed', 'cancelled') THEN now() ELSE finished_at END,
         updated_at = now()
       WHERE id = $1`,
      [id, status, error ?? null],
    );
  }

  async execution(
    id: string,
  ): Promise<{ id: string; status: string; mode: string; kind: string; options: Record<string, unknown> } | null> {
    const rows: Row[] = await this.db.query(`SELECT id, status, mode, kind, options FROM executions WHERE id = $1`, [
      id,
    ]);
    return (rows[0] as never) ?? null;
  }

  /** Executions that should be running: queued ones and those a stop or crash interrupted. */
  async resumableExecutions(): Promise<string[]> {
    const rows: Row[] = await this.db.query(
      `SELECT id FROM executions WHERE status IN ('queued', 'running') ORDER BY created_at, id`,
    );
    return rows.map((r) => r.id as string);
  }

  async counts(
    executionId: string,
  ): Promise<Record<OperationStatus, number> & { bytesDone: number; bytesTotal: number }> {
    const [row] = await this.db.query(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'running')::int AS running,
              count(*) FILTER (WHERE status = 'done')::int AS done,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE status = 'skipped')::int AS skipped,
              COALESCE(sum(size) FILTER (WHERE status = 'done'), 0)::float8 AS "bytesDone",
              COALESCE(sum(size), 0)::float8 AS "bytesTotal"
         FROM execution_operations WHERE execution_id = $1`,
      [executionId],
    );
    return row;
  }

  /** Finished operations whose event is still owed (an outbox: a crash between the move and the publish loses nothing). */
  async unannounced(limit = 500): Promise<JournalOperation[]> {
    const rows: Row[] = await this.db.query(
      `SELECT ${OPERATION_COLUMNS} FROM execution_operations WHERE status = 'done' AND announced_at IS NULL ORDER BY execution_id, seq LIMIT $1`,
      [limit],
    );
    return rows.map(toOperation);
  }

  async markAnnounced(ids: string[]): Promise<void> {
    if (ids.length)
      await this.db.query(`UPDATE execution_operations SET announced_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
  }
}
