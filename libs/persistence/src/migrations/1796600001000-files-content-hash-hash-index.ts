import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10 (bench/ui at a million files): the file list's duplicates filter, in path order, asks for each file
 * it walks whether another present file has its content (about 2,700 files for a page when 4 % have duplicates).
 * Through the B-tree on content_hash each question read 5 buffers (three levels, the file's own row); a hash
 * index reads its bucket page and the row: 17,600 -> 10,100 buffers for the page (8.5 s to build at a million
 * files). The B-tree stays for the other readers of content_hash.
 */
export class FilesContentHashHashIndex1796600001000 implements MigrationInterface {
  name = 'FilesContentHashHashIndex1796600001000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "files_content_hash_hash_idx" ON "files" USING hash ("content_hash")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "files_content_hash_hash_idx"`);
  }
}
