import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10 (bench/ui at a million files): the file list filtered by a BPM range or Camelot keys, in path order,
 * walked (path, id) and probed file_analysis for every file walked (about 8,000 files and 37,000 buffers for a
 * page when 1.2 % of files are in the range). `files.bpm` and `files.camelot` are a read model of the analysis
 * of the file's current content (the file_analysis row with its content hash and status done), kept by ingest
 * from the analysis outcomes it receives (see read-models/analysis-facts.ts). The (path, id) index carries them
 * (INCLUDE), so such a page walks index entries only and reads a file's row when it passes. The list still
 * checks file_analysis itself (the read model only narrows the walk), so its results are the same as before.
 *
 * Backfill: every file with a current analysis.
 */
export class FilesAnalysisFacts1796500001000 implements MigrationInterface {
  name = 'FilesAnalysisFacts1796500001000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "files" ADD "bpm" numeric(6,2), ADD "camelot" text`);
    await q.query(
      `UPDATE "files" f SET "bpm" = a.bpm, "camelot" = a.camelot FROM "file_analysis" a
        WHERE a.file_id = f.id AND a.content_hash = f.content_hash AND a.status = 'done'
          AND (a.bpm IS NOT NULL OR a.camelot IS NOT NULL)`,
    );
    await q.query(`DROP INDEX "files_path_id_idx"`);
    await q.query(`CREATE INDEX "files_path_id_idx" ON "files" ("path", "id") INCLUDE ("bpm", "camelot")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "files_path_id_idx"`);
    await q.query(`CREATE INDEX "files_path_id_idx" ON "files" ("path", "id") `);
    await q.query(`ALTER TABLE "files" DROP COLUMN "camelot", DROP COLUMN "bpm"`);
  }
}
