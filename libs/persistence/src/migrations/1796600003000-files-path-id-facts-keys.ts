import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10 (bench/ui at a million files): a BPM range in path order walks `files_path_id_idx`, which carried the
 * analysis read model (bpm, camelot) as INCLUDE columns. A condition on an INCLUDE column is a filter: the
 * index-only scan checks the visibility map for every entry before it, and as the walk jumps around the heap
 * that read a visibility-map page for most of the 8,000 entries walked for a page (6,700 buffers). As trailing
 * key columns they are index conditions, tested inside the B-tree before any visibility check, so only passing
 * entries are checked: 6,746 -> 1,769 buffers. The order by (path, id) and the keyset on it are unchanged (the
 * leading columns); the entries are the same size.
 */
export class FilesPathIdFactsKeys1796600003000 implements MigrationInterface {
  name = 'FilesPathIdFactsKeys1796600003000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    await q.query(`DROP INDEX "files_path_id_idx"`);
    await q.query(`CREATE INDEX "files_path_id_idx" ON "files" ("path", "id", "bpm", "camelot")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "files_path_id_idx"`);
    await q.query(`CREATE INDEX "files_path_id_idx" ON "files" ("path", "id") INCLUDE ("bpm", "camelot")`);
  }
}
