import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10 (bench/ui at 250,000 proposals and an 800,000-step audit): the proposals list's confidence and
 * path orders walk a (value, id) index from the keyset instead of sorting every proposal (0.9 s at 250,000),
 * and the audit's status filter (failed steps are rare) walks (status, id) newest first instead of reading
 * the whole trail backwards (80,000 rows skipped for one page of failures).
 */
export class UiListIndexesProposalsAudit1796400000000 implements MigrationInterface {
  name = 'UiListIndexesProposalsAudit1796400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "proposals_confidence_keyset_idx" ON "proposals" ("confidence", "id") `);
    await q.query(`CREATE INDEX "proposals_path_keyset_idx" ON "proposals" ("original_path", "id") `);
    await q.query(`CREATE INDEX "execution_steps_status_idx" ON "execution_steps" ("status", "id") `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "execution_steps_status_idx"`);
    await q.query(`DROP INDEX "proposals_path_keyset_idx"`);
    await q.query(`DROP INDEX "proposals_confidence_keyset_idx"`);
  }
}
