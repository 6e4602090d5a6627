import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 9: a file's round through the chain. `generation` is bumped by ingest when the content changes;
 * `lifecycle_generation` is the round the lifecycle has applied, so a redelivered or repeated `changed`
 * event is recognised and changes nothing; a stage status remembers the round it is about, so an outcome that
 * overtook its round's `changed` event is kept for that round. Rows recorded before this migration are round 1.
 */
export class FileGenerations1795900000000 implements MigrationInterface {
  name = 'FileGenerations1795900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "files" ADD "generation" integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE "files" ADD "lifecycle_generation" integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE "files" ALTER COLUMN "lifecycle_generation" SET DEFAULT 0`);
    await q.query(`ALTER TABLE "file_stage_statuses" ADD "generation" integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE "file_stage_statuses" ALTER COLUMN "generation" SET DEFAULT 0`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "file_stage_statuses" DROP COLUMN "generation"`);
    await q.query(`ALTER TABLE "files" DROP COLUMN "lifecycle_generation"`);
    await q.query(`ALTER TABLE "files" DROP COLUMN "generation"`);
  }
}
