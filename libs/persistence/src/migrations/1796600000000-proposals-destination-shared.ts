import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10 (bench/ui at 250,000 proposals): the review list's collision filter walks about 2,700 proposals for a
 * page when 1 % collide, with two look-ups each for another proposal headed for the same destination.
 *
 * - `proposals.destination_shared`: the proposer's read model of "another file's pending proposal has this
 *   pending proposal's key" (read-models/shared-destinations.ts), so the look-up among unedited proposals runs
 *   only for flagged ones. A constant default adds the column without rewriting the table.
 * - `proposal_reviews_destination_key_idx` holds only edited destinations (most reviews edit none, and every
 *   look-up asks for a key), so a look-up reads one small index instead of descending one over every review.
 *
 * Backfill: every pending proposal whose key another file's pending proposal has.
 */
export class ProposalsDestinationShared1796600000000 implements MigrationInterface {
  name = 'ProposalsDestinationShared1796600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "proposals" ADD "destination_shared" boolean NOT NULL DEFAULT false`);
    await q.query(
      `UPDATE "proposals" SET "destination_shared" = true
        WHERE "status" = 'pending' AND "destination_key" IN (
          SELECT "destination_key" FROM "proposals" WHERE "status" = 'pending'
           GROUP BY "destination_key" HAVING count(DISTINCT "file_id") > 1)`,
    );
    await q.query(`DROP INDEX "proposal_reviews_destination_key_idx"`);
    await q.query(
      `CREATE INDEX "proposal_reviews_destination_key_idx" ON "proposal_reviews" ("destination_key") WHERE "destination_key" IS NOT NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "proposal_reviews_destination_key_idx"`);
    await q.query(`CREATE INDEX "proposal_reviews_destination_key_idx" ON "proposal_reviews" ("destination_key") `);
    await q.query(`ALTER TABLE "proposals" DROP COLUMN "destination_shared"`);
  }
}
