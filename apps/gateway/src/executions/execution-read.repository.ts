import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { readApprovedProposals } from '@crateflow/persistence';

type Row = Record<string, unknown>;
const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

/** An execution's counts over its operations (execution_operations_execution_idx finds them). */
const COUNTS = `count(*)::int AS total,
  count(*) FILTER (WHERE status = 'done')::int AS done,
  count(*) FILTER (WHERE status = 'failed')::int AS failed,
  count(*) FILTER (WHERE status = 'skipped')::int AS skipped,
  count(*) FILTER (WHERE status IN ('pending', 'running'))::int AS pending,
  COALESCE(sum(size) FILTER (WHERE status = 'done'), 0)::float8 AS "bytesDone",
  COALESCE(sum(size), 0)::float8 AS "bytesTotal"`;

/** An execution row and its COUNTS as the API shows them. */
function summaryOf(e: Row, c: Row) {
  return {
    id: e.id as string,
    planId: (e.plan_id as string) ?? null,
    kind: e.kind as 'run' | 'undo',
    undoOf: (e.undo_of as string) ?? null,
    mode: e.mode as string,
    status: e.status as string,
    error: (e.error as string) ?? null,
    counts: {
      total: c.total as number,
      done: c.done as number,
      failed: c.failed as number,
      skipped: c.skipped as number,
      pending: c.pending as number,
      bytesDone: c.bytesDone as number,
      bytesTotal: c.bytesTotal as number,
    },
    startedAt: iso(e.started_at),
    finishedAt: iso(e.finished_at),
    createdAt: iso(e.created_at)!,
  };
}

/** Read model of the executor's tables (plans, executions, journal, steps) and of what a plan depends on. */
@Injectable()
export class ExecutionReadRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  async plan(id: string) {
    const [p]: Row[] = await this.db.query(
      `SELECT id, mode, status, options, totals, created_at FROM execution_plans WHERE id = $1`,
      [id],
    );
    if (!p) return null;
    const items: Row[] = await this.db.query(
      `SELECT id, role, file_id, proposal_id, parent_item_id, source_path, destination_path, size, same_filesystem, status, blocked_reason
         FROM execution_plan_items WHERE plan_id = $1 ORDER BY seq`,
      [id],
    );
    return {
      id: p.id as string,
      mode: p.mode as 'move' | 'copy' | 'hardlink',
      status: p.status as string,
      options: p.options as Record<string, unknown>,
      totals: p.totals as Record<string, number>,
      createdAt: iso(p.created_at),
      items: items.map((r) => ({
        id: r.id as string,
        role: r.role as 'media' | 'companion',
        fileId: (r.file_id as string) ?? null,
        proposalId: (r.proposal_id as string) ?? null,
        parentItemId: (r.parent_item_id as string) ?? null,
        sourcePath: r.source_path as string,
        destinationPath: (r.destination_path as string) ?? null,
        size: Number(r.size),
        sameFilesystem: (r.same_filesystem as boolean | null) ?? null,
        status: r.status as 'ready' | 'blocked' | 'skipped',
        reason: (r.blocked_reason as string) ?? null,
      })),
    };
  }

  /** What in the database changed since a plan was made (proposal decisions, file contents); the executor checks the disk. */
  async planChangesSince(planId: string): Promise<string[]> {
    const plan = await this.plan(planId);
    if (!plan) return ['no such plan'];
    const versions = (plan.options.proposalVersions ?? {}) as Record<string, number>;
    const approved = new Map<string, number>();
    let after: string | undefined;
    for (;;) {
      const page = await readApprovedProposals(this.db, { after, limit: 1000 });
      for (const p of page) approved.set(p.proposalId, p.version);
      if (page.length < 1000) break;
      after = page[page.length - 1].proposalId;
    }
    const problems: string[] = [];
    for (const item of plan.items.filter((i) => i.status === 'ready' && i.proposalId)) {
      if (approved.get(item.proposalId!) !== versions[item.proposalId!]) {
        problems.push(`${item.sourcePath}: its proposal changed or is no longer approved`);
      }
    }
    const changed: Row[] = await this.db.query(
      `SELECT i.source_path FROM execution_plan_items i JOIN files f ON f.id = i.file_id
        WHERE i.plan_id = $1 AND i.status = 'ready' AND (f.content_hash <> i.content_hash OR f.path_key <> i.source_key) LIMIT 20`,
      [planId],
    );
    for (const r of changed)
      problems.push(`${r.source_path as string}: the file changed or moved since the plan was made`);
    return problems;
  }

  async execution(id: string) {
    const [e]: Row[] = await this.db.query(`SELECT * FROM executions WHERE id = $1`, [id]);
    if (!e) return null;
    const failures: Row[] = await this.db.query(
      `SELECT id, source_path, destination_path, error_code, error FROM execution_operations
        WHERE execution_id = $1 AND status IN ('failed', 'skipped') ORDER BY seq LIMIT 1000`,
      [id],
    );
    return {
      ...(await this.summary(e)),
      failures: failures.map((f) => ({
        operationId: f.id as string,
        sourcePath: f.source_path as string,
        destinationPath: f.destination_path as string,
        code: (f.error_code as string) ?? null,
        error: (f.error as string) ?? null,
      })),
    };
  }

  private async summary(e: Row) {
    const [c]: Row[] = await this.db.query(`SELECT ${COUNTS} FROM execution_operations WHERE execution_id = $1`, [
      e.id,
    ]);
    return summaryOf(e, c);
  }

  /** A page of executions, newest first, each with its counts: one statement (a count query per execution was 20 round trips a page). */
  async executions(before: { createdAtUs: string; id: string } | null, limit: number) {
    const rows: Row[] = await this.db.query(
      `SELECT e.*, (extract(epoch from e.created_at) * 1000000)::bigint::text AS created_at_us, c.* FROM (
          SELECT * FROM executions
           WHERE ($1::bigint IS NULL
                  OR (created_at, id) < (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::uuid))
           ORDER BY created_at DESC, id DESC LIMIT $3) e
        CROSS JOIN LATERAL (SELECT ${COUNTS} FROM execution_operations WHERE execution_id = e.id) c
        ORDER BY e.created_at DESC, e.id DESC`,
      [before?.createdAtUs ?? null, before?.id ?? null, limit],
    );
    return rows.map((r) => ({ view: summaryOf(r, r), createdAtUs: String(r.created_at_us) }));
  }

  async audit(q: { status?: string; executionId?: string; path?: string; afterId?: string | null; limit: number }) {
    const rows: Row[] = await this.db.query(
      // Ordered by the bigint id itself (s.id): a bare `id` would name the text alias of the select list, a
      // text order ("99" after "100") that skipped rows between keyset pages and could not walk the index.
      `SELECT s.id::text AS id, execution_id, operation_id, phase, status, source_path, destination_path, detail, at
         FROM execution_steps s
        WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR execution_id = $2)
          AND ($3::text IS NULL OR source_path ILIKE '%' || $3 || '%' OR destination_path ILIKE '%' || $3 || '%')
          AND ($4::bigint IS NULL OR s.id < $4::bigint)
        ORDER BY s.id DESC LIMIT $5`,
      [
        q.status ?? null,
        q.executionId ?? null,
        q.path?.replace(/[\\%_]/g, (m) => `\\${m}`) ?? null,
        q.afterId ?? null,
        q.limit,
      ],
    );
    return rows.map((r) => ({
      id: r.id as string,
      executionId: r.execution_id as string,
      operationId: r.operation_id as string,
      phase: r.phase as string,
      status: r.status as string,
      sourcePath: r.source_path as string,
      destinationPath: r.destination_path as string,
      detail: (r.detail as Record<string, unknown>) ?? null,
      at: iso(r.at)!,
    }));
  }

  /** Old → new paths of the finished operations of an execution (a DJ program relinks with this). */
  async relinkMap(executionId: string) {
    const rows: Row[] = await this.db.query(
      `SELECT file_id, role, kind, source_path, destination_path FROM execution_operations
        WHERE execution_id = $1 AND status = 'done' AND kind <> 'unpublish' ORDER BY seq`,
      [executionId],
    );
    return rows.map((r) => ({
      fileId: (r.file_id as string) ?? null,
      role: r.role as 'media' | 'companion',
      oldPath: r.source_path as string,
      newPath: r.destination_path as string,
    }));
  }

  async executionExists(id: string): Promise<boolean> {
    return (await this.db.query(`SELECT 1 FROM executions WHERE id = $1`, [id])).length > 0;
  }
}
