import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 11: proposals (owned by the proposer), generation progress (proposer) and review decisions (gateway). */
export class Proposals1796000000000 implements MigrationInterface {
  name = 'Proposals1796000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "proposals" ("id" uuid NOT NULL, "file_id" uuid NOT NULL, "content_hash" character(64) NOT NULL, "generation_id" uuid, "status" text NOT NULL, "source" text NOT NULL, "model" text, "original_path" text NOT NULL, "proposed_folder" text, "proposed_name" text NOT NULL, "destination_key" text NOT NULL, "confidence" real NOT NULL, "facts" jsonb NOT NULL, "reason" text NOT NULL, "context" jsonb NOT NULL, "invalid_reason" text, "disk_collision" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_db524c8db8e126a38a2f16d8cac" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "proposals_keyset_idx" ON "proposals"  ("created_at", "id") `);
    await q.query(
      `CREATE INDEX "proposals_destination_key_idx" ON "proposals"  ("destination_key") WHERE "status" = 'pending'`,
    );
    await q.query(`CREATE INDEX "proposals_file_idx" ON "proposals"  ("file_id", "created_at") `);
    await q.query(
      `CREATE UNIQUE INDEX "proposals_live_file_idx" ON "proposals"  ("file_id") WHERE "status" <> 'superseded'`,
    );
    await q.query(
      `CREATE TABLE "proposal_generations" ("id" uuid NOT NULL, "status" text NOT NULL, "requested_files" integer, "counts" jsonb NOT NULL, "error" text, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_12192ab874be22e3b24fb0574fb" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE TABLE "proposal_reviews" ("proposal_id" uuid NOT NULL, "file_id" uuid NOT NULL, "content_hash" character(64) NOT NULL, "decision" text NOT NULL, "folder_edited" boolean NOT NULL DEFAULT false, "edited_folder" text, "edited_name" text, "destination_key" text, "version" integer NOT NULL, "last_action" text NOT NULL, "previous" jsonb, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_779786b236ba0d292c3100b575c" PRIMARY KEY ("proposal_id"))`,
    );
    await q.query(`CREATE INDEX "proposal_reviews_destination_key_idx" ON "proposal_reviews"  ("destination_key") `);
    await q.query(`CREATE INDEX "proposal_reviews_file_idx" ON "proposal_reviews"  ("file_id") `);
    await q.query(`CREATE INDEX "proposal_reviews_decision_idx" ON "proposal_reviews"  ("decision") `);
    // Before this migration the proposer skipped every file and the lifecycle still called it
    // PROPOSAL_GENERATED. No proposal exists yet, so those files are ANALYZED (their proposer status keeps
    // the skip reason); a generation request gives them proposals.
    await q.query(`UPDATE "files" SET "state" = 'ANALYZED' WHERE "state" = 'PROPOSAL_GENERATED'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."proposal_reviews_decision_idx"`);
    await q.query(`DROP INDEX "public"."proposal_reviews_file_idx"`);
    await q.query(`DROP INDEX "public"."proposal_reviews_destination_key_idx"`);
    await q.query(`DROP TABLE "proposal_reviews"`);
    await q.query(`DROP TABLE "proposal_generations"`);
    await q.query(`DROP INDEX "public"."proposals_live_file_idx"`);
    await q.query(`DROP INDEX "public"."proposals_file_idx"`);
    await q.query(`DROP INDEX "public"."proposals_destination_key_idx"`);
    await q.query(`DROP INDEX "public"."proposals_keyset_idx"`);
    await q.query(`DROP TABLE "proposals"`);
  }
}
