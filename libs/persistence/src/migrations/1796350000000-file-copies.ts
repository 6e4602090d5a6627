import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A copy the executor made into the output root is a file of its own, linked to its source. */
export class FileCopies1796350000000 implements MigrationInterface {
  name = 'FileCopies1796350000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "files" ADD "copied_from_file_id" uuid`);
    await q.query(`CREATE INDEX "files_copied_from_idx" ON "files" ("copied_from_file_id") `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."files_copied_from_idx"`);
    await q.query(`ALTER TABLE "files" DROP COLUMN "copied_from_file_id"`);
  }
}
