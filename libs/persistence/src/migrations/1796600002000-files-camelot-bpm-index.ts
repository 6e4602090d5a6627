import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10 (bench/ui at a million files): a rare BPM and key combination in path order (a 10 BPM range in one
 * Camelot key: 2,600 files) was collected through file_analysis's BPM and key indexes, and every match's file
 * row read before the sort: 14,600 buffers for a page. This index over ingest's read model of the analysis
 * (files.camelot, bpm; migration 1796500001000) carries the path, so the matches' paths come from the index
 * alone, are sorted, and only the page's files are read and checked against file_analysis: 2,500 buffers.
 */
export class FilesCamelotBpmIndex1796600002000 implements MigrationInterface {
  name = 'FilesCamelotBpmIndex1796600002000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "files_camelot_bpm_idx" ON "files" ("camelot", "bpm") INCLUDE ("path", "id") WHERE "camelot" IS NOT NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "files_camelot_bpm_idx"`);
  }
}
