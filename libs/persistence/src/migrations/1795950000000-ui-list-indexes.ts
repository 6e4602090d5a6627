import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10: indexes behind the web UI's file list orders and filters, so the first and a deep page answer in
 * the same few milliseconds at a million files (bench/ui measures them). Each sort index is partial: the
 * list in that order shows only files that have the value.
 */
export class UiListIndexes1795950000000 implements MigrationInterface {
  name = 'UiListIndexes1795950000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "file_metadata_artist_sort_idx" ON "file_metadata" (lower("artist"), "file_id") WHERE "artist" IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX "file_metadata_title_sort_idx" ON "file_metadata" (lower("title"), "file_id") WHERE "title" IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX "file_metadata_duration_sort_idx" ON "file_metadata" ("duration_sec", "file_id") WHERE "duration_sec" IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX "file_analysis_bpm_sort_idx" ON "file_analysis" ("bpm", "file_id") WHERE "bpm" IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "files_missing_path_idx" ON "files" ("path", "id") WHERE "missing_since" IS NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "files_missing_path_idx"`);
    await q.query(`DROP INDEX "file_analysis_bpm_sort_idx"`);
    await q.query(`DROP INDEX "file_metadata_duration_sort_idx"`);
    await q.query(`DROP INDEX "file_metadata_title_sort_idx"`);
    await q.query(`DROP INDEX "file_metadata_artist_sort_idx"`);
  }
}
