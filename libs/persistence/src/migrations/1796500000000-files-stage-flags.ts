import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10 (bench/ui at a million files): the file list filtered by a stage that failed or skipped, or by
 * "has problems", is shown in path order. Walking (path, id) and probing file_stage_statuses for each file
 * costs one probe per file walked (about 5,000 for a page when 2 % fail). `files.stage_flags` is a read model
 * of the file's own stage statuses kept by ingest (which writes both tables, in the same transaction): one
 * `stage:status` entry per stage whose recorded status is failed or skipped. The partial (path, id) index
 * holds only the files with an entry, so such a page walks only them. The list still checks the statuses
 * themselves (the flags only narrow the walk), so its results are the same as before.
 *
 * Backfill: every file with a failed or skipped status gets its flags from file_stage_statuses.
 */
export class FilesStageFlags1796500000000 implements MigrationInterface {
  name = 'FilesStageFlags1796500000000';

  public async up(q: QueryRunner): Promise<void> {
    // A constant default: PostgreSQL adds the column without rewriting the table.
    await q.query(`ALTER TABLE "files" ADD "stage_flags" text array NOT NULL DEFAULT '{}'`);
    await q.query(
      `UPDATE "files" f SET "stage_flags" = s.flags
         FROM (SELECT file_id, array_agg(stage || ':' || status ORDER BY stage, status) AS flags
                 FROM "file_stage_statuses" WHERE status IN ('failed', 'skipped') GROUP BY file_id) s
        WHERE f.id = s.file_id`,
    );
    await q.query(`CREATE INDEX "files_stage_flags_path_idx" ON "files" ("path", "id") WHERE "stage_flags" <> '{}'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "files_stage_flags_path_idx"`);
    await q.query(`ALTER TABLE "files" DROP COLUMN "stage_flags"`);
  }
}
