import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
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
   * caller acts on disk only after this returns. However many steps, it is one statement (the updates and
   * their audit rows together), so a batch of files costs one round trip and one commit per phase.
   */
  async record(steps: StepRecord[]): Promise<void> {
    if (!steps.length) return;
    const rows = steps.map((s) => {
      const p = s.patch ?? {};
      const status: OperationStatus =
        p.status ??
        (s.phase === 'done' ? 'done' : s.phase === 'failed' ? 'failed' : s.phase === 'pending' ? 'pending' : 'running');
      return { s, p, status, terminal: status === 'done' || status === 'failed' || status === 'skipped' };
    });
    const changed: Row[] = await this.db.query(
      `WITH u AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::bool[], $6::bytea[], $7::bool[],
                              $8::text[], $9::text[], $10::text[], $11::bool[], $12::text[], $13::text[], $14::text[],
                              $15::bigint[], $16::bool[], $17::text[], $18::text[])
           AS u(id, ord, phase, status, set_temp, temp, set_temp_ino, temp_ino, method, created_dirs, set_error, error,
                error_code, result, attempts, terminal, step_status, detail)
       ), changed AS (
         UPDATE execution_operations o SET
           phase = u.phase, status = u.status,
           temp_key = CASE WHEN u.set_temp THEN u.temp ELSE o.temp_key END,
           temp_ino = CASE WHEN u.set_temp_ino THEN u.temp_ino ELSE o.temp_ino END,
           method = COALESCE(u.method, o.method),
           created_dirs = CASE WHEN u.created_dirs IS NULL THEN o.created_dirs
             ELSE ARRAY(SELECT decode(d, 'hex') FROM unnest(string_to_array(NULLIF(u.created_dirs, ''), ',')) d) END,
           error = CASE WHEN u.set_error THEN u.error ELSE o.error END,
           error_code = CASE WHEN u.set_error THEN u.error_code ELSE o.error_code END,
           result = COALESCE(u.result::jsonb, o.result),
           attempts = COALESCE(u.attempts, o.attempts),
           started_at = COALESCE(o.started_at, CASE WHEN u.status = 'running' THEN now() END),
           finished_at = CASE WHEN u.terminal THEN now() ELSE NULL END,
           updated_at = now()
         FROM u WHERE o.id = u.id
         RETURNING o.id, o.execution_id, o.source_path, o.destination_path, u.ord, u.phase, u.step_status, u.detail
       )
       INSERT INTO execution_steps (execution_id, operation_id, phase, status, source_path, destination_path, detail)
       SELECT execution_id, id, phase, step_status, source_path, destination_path, detail::jsonb FROM changed ORDER BY ord
       RETURNING operation_id`,
      [
        rows.map((r) => r.s.op.id),
        rows.map((_, i) => i),
        rows.map((r) => r.s.phase),
        rows.map((r) => r.status),
        rows.map((r) => 'temp' in r.p),
        rows.map((r) => r.p.temp ?? null),
        rows.map((r) => 'tempIno' in r.p),
        rows.map((r) => r.p.tempIno ?? null),
        rows.map((r) => r.p.method ?? null),
        // bytea[] per row cannot ride in one unnest (arrays must be rectangular): hex, comma-joined
        rows.map((r) => (r.p.createdDirs ? r.p.createdDirs.map((d) => d.toString('hex')).join(',') : null)),
        rows.map((r) => 'error' in r.p),
        rows.map((r) => r.p.error ?? null),
        rows.map((r) => r.p.errorCode ?? null),
        rows.map((r) => (r.p.result ? JSON.stringify(r.p.result) : null)),
        rows.map((r) => r.p.attempts ?? null),
        rows.map((r) => r.terminal),
        rows.map((r) => r.s.stepStatus ?? r.status),
        rows.map((r) => (r.s.detail ? JSON.stringify(r.s.detail) : null)),
      ],
    );
    if (changed.length !== steps.length) {
      const found = new Set(changed.map((r) => r.operation_id as string));
      const missing = steps.find((s) => !found.has(s.op.id));
      throw new Error(`journal: operation ${missing?.op.id ?? '(repeated in one batch)'} does not exist`);
    }
    // Keep the in-memory operations in step with what is now committed.
    for (const { s, p, status } of rows) {
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
    this.onRecorded?.(steps);
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
