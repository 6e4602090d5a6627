import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10 (bench/ui at a million files): the file list filtered by state or kind is shown in path order.
 * Walking (path, id) and checking each file's state reads five files for every one shown (a fifth of them
 * are in a state), each a heap page; (state, path, id) and (kind, path, id) give the page's rows directly
 * from the keyset. They replace the single-column indexes, which they cover (counts by state or kind read
 * the composite as well), so ingest's writes keep the same number of indexes.
 */
export class FilesStateKindPathIndexes1796410000000 implements MigrationInterface {
  name = 'FilesStateKindPathIndexes1796410000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "files_state_path_idx" ON "files" ("state", "path", "id") `);
    await q.query(`CREATE INDEX "files_kind_path_idx" ON "files" ("kind", "path", "id") `);
    await q.query(`DROP INDEX "files_state_idx"`);
    await q.query(`DROP INDEX "files_kind_idx"`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "files_kind_idx" ON "files" ("kind") `);
    await q.query(`CREATE INDEX "files_state_idx" ON "files" ("state") `);
    await q.query(`DROP INDEX "files_kind_path_idx"`);
    await q.query(`DROP INDEX "files_state_path_idx"`);
  }
}
