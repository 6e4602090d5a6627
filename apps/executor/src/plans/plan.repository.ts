import type { DataSource } from 'typeorm';
import { displayPath } from '../protocol/path-bytes';

export type PlanItemStatus = 'ready' | 'blocked' | 'skipped';

export interface PlanItem {
  id: string;
  seq: number;
  role: 'media' | 'companion';
  fileId: string | null;
  proposalId: string | null;
  parentItemId: string | null;
  source: Buffer;
  destination: Buffer | null;
  size: number;
  mtimeMs: number;
  dev: string | null;
  ino: string | null;
  contentHash: string;
  sameFilesystem: boolean | null;
  status: PlanItemStatus;
  reason: string | null;
}

export interface StoredPlan {
  id: string;
  mode: 'move' | 'copy' | 'hardlink';
  status: string;
  options: Record<string, unknown>;
  totals: Record<string, number>;
}

/** execution_plans and execution_plan_items (owned by executor). */
export class PlanRepository {
  constructor(private readonly db: DataSource) {}

  async save(plan: StoredPlan, items: PlanItem[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO execution_plans (id, mode, status, options, totals) VALUES ($1, $2, $3, $4, $5)`, [
        plan.id,
        plan.mode,
        plan.status,
        plan.options,
        plan.totals,
      ]);
      for (let i = 0; i < items.length; i += 1000) {
        const c = items.slice(i, i + 1000);
        await tx.query(
          `INSERT INTO execution_plan_items (id, plan_id, seq, role, file_id, proposal_id, parent_item_id, source_path, source_key,
             destination_path, destination_key, size, mtime_ms, dev, ino, content_hash, same_filesystem, status, blocked_reason)
           SELECT u.id, $1, u.seq, u.role, u.file_id, u.proposal_id, u.parent_item_id, u.source_path, u.source_key,
                  u.destination_path, u.destination_key, u.size, u.mtime_ms, u.dev, u.ino, u.content_hash, u.same_fs, u.status, u.reason
             FROM unnest($2::uuid[], $3::int[], $4::text[], $5::uuid[], $6::uuid[], $7::uuid[], $8::text[], $9::bytea[], $10::text[],
                         $11::bytea[], $12::bigint[], $13::float8[], $14::text[], $15::text[], $16::text[], $17::bool[], $18::text[], $19::text[])
               AS u(id, seq, role, file_id, proposal_id, parent_item_id, source_path, source_key, destination_path, destination_key,
                    size, mtime_ms, dev, ino, content_hash, same_fs, status, reason)`,
          [
            plan.id,
            c.map((x) => x.id),
            c.map((x) => x.seq),
            c.map((x) => x.role),
            c.map((x) => x.fileId),
            c.map((x) => x.proposalId),
            c.map((x) => x.parentItemId),
            c.map((x) => displayPath(x.source)),
            c.map((x) => x.source),
            c.map((x) => (x.destination ? displayPath(x.destination) : null)),
            c.map((x) => x.destination),
            c.map((x) => x.size),
            c.map((x) => x.mtimeMs),
            c.map((x) => x.dev),
            c.map((x) => x.ino),
            c.map((x) => x.contentHash),
            c.map((x) => x.sameFilesystem),
            c.map((x) => x.status),
            c.map((x) => x.reason),
          ],
        );
      }
    });
  }

  async plan(id: string): Promise<StoredPlan | null> {
    const rows: StoredPlan[] = await this.db.query(
      `SELECT id, mode, status, options, totals FROM execution_plans WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async items(planId: string): Promise<PlanItem[]> {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT * FROM execution_plan_items WHERE plan_id = $1 ORDER BY seq`,
      [planId],
    );
    return rows.map((r) => ({
      id: r.id as string,
      seq: r.seq as number,
      role: r.role as PlanItem['role'],
      fileId: (r.file_id as string | null) ?? null,
      proposalId: (r.proposal_id as string | null) ?? null,
      parentItemId: (r.parent_item_id as string | null) ?? null,
      source: r.source_key as Buffer,
      destination: (r.destination_key as Buffer | null) ?? null,
      size: Number(r.size),
      mtimeMs: Number(r.mtime_ms),
      dev: (r.dev as string | null) ?? null,
      ino: (r.ino as string | null) ?? null,
      contentHash: (r.content_hash as string).trim(),
      sameFilesystem: (r.same_filesystem as boolean | null) ?? null,
      status: r.status as PlanItemStatus,
      reason: (r.blocked_reason as string | null) ?? null,
    }));
  }

  async setStatus(id: string, status: string): Promise<void> {
    await this.db.query(`UPDATE execution_plans SET status = $2 WHERE id = $1`, [id, status]);
  }
}
