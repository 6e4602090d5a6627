import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10 (bench/ui at a million files): the file list filtered by a BPM range or Camelot keys, in path order,
 * walked (path, id) and probed file_analysis for every file walked (about 8,000 files and 37,000 buffers for a
 * page when 1.2 % of files are in the range). `files.bpm` and `files.camelot` are a read model of the analysis
 * of the file's current content (the file_analysis row with its content hash and status done), kept by ingest
 * from the analysis outcomes it receives (see read-models/analysis-facts.ts). The (path, id) index carries them
 * (INCLUDE), so such a page walks index entries only and reads a file's rows only when it passes. The list still
 * checks file_analysis itself (the read model only narrows the walk), so its results are the same as before.
 *
 * Backfill: every file with a current analysis. Updating 680,000 of a million rows with the table's indexes in
 * place took 346 s (bench/ui, load 12): each updated row is a new row version with an entry in every index,
 * the trigram index's among them. So the indexes that back no constraint are dropped for the update and built
 * again after it, from their own definitions as the database has them (pg_indexes), which is far cheaper than
 * 680,000 inserts into each. This was changed after the migration had landed: a database that ran the earlier
 * form has the same columns, values and indexes, and one that had not runs this one; both in one transaction.
 */
export class FilesAnalysisFacts1796500001000 implements MigrationInterface {
  name = 'FilesAnalysisFacts1796500001000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "files" ADD "bpm" numeric(6,2), ADD "camelot" text`);
    const indexes: { name: string; definition: string }[] = await q.query(
      `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = 'files'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = to_regclass(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname)))
        ORDER BY i.indexname`,
    );
    for (const i of indexes) await q.query(`DROP INDEX "${i.name}"`);
    await q.query(
      `UPDATE "files" f SET "bpm" = a.bpm, "camelot" = a.camelot FROM "file_analysis" a
        WHERE a.file_id = f.id AND a.content_hash = f.content_hash AND a.status = 'done'
          AND (a.bpm IS NOT NULL OR a.camelot IS NOT NULL)`,
    );
    // Builds sort in memory up to this much (the session's default is often 64 MB), for this transaction only.
    await q.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    for (const i of indexes) if (i.name !== 'files_path_id_idx') await q.query(i.definition);
    await q.query(`CREATE INDEX "files_path_id_idx" ON "files" ("path", "id") INCLUDE ("bpm", "camelot")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "files_path_id_idx"`);
    await q.query(`CREATE INDEX "files_path_id_idx" ON "files" ("path", "id") `);
    await q.query(`ALTER TABLE "files" DROP COLUMN "camelot", DROP COLUMN "bpm"`);
  }
}
