import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: the compact (LSM-style) fingerprint index. The postings tables of 1795239009174 stay as the
 * write tier; a background merge packs whole tracks into one row per hash key (`fingerprint_<strategy>_packed`,
 * delta-coded postings in a bytea); `fingerprint_packed_tracks` records what each merge read back per track;
 * `fingerprint_tombstones` hides the packed postings of removed or re-indexed tracks until they are purged.
 * No entities (like the other index tables): @crateflow/fingerprint's FINGERPRINT_SCHEMA_SQL is the
 * reference the drift test compares with. Existing postings need no conversion: they are the write tier,
 * and the stage's merge packs them in the background.
 */
export class FingerprintPackedPostings1796300000000 implements MigrationInterface {
  name = 'FingerprintPackedPostings1796300000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const strategy of ['landmark', 'triplet']) {
      await q.query(
        `CREATE TABLE "fingerprint_${strategy}_packed" ("hash_key" int4 PRIMARY KEY, "postings" bytea NOT NULL)`,
      );
    }
    await q.query(`CREATE TABLE "fingerprint_packed_tracks" (
      "track_id" int4 NOT NULL,
      "strategy" text NOT NULL,
      "postings" int4 NOT NULL,
      "first_frame" int4,
      "last_frame" int4,
      PRIMARY KEY ("track_id", "strategy"))`);
    await q.query(`CREATE TABLE "fingerprint_tombstones" (
      "track_id" int4 PRIMARY KEY,
      "removed_at" timestamptz NOT NULL DEFAULT now())`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // The row tables cannot hold packed postings without decoding them (JavaScript, not SQL): the tracks
    // that had some are marked not indexed (getTracks no longer reports them) and must be fingerprinted again.
    await q.query(
      `UPDATE "fingerprint_tracks" SET "indexed_at" = NULL WHERE "track_id" IN (SELECT "track_id" FROM "fingerprint_packed_tracks")`,
    );
    await q.query(`DROP TABLE "fingerprint_tombstones"`);
    await q.query(`DROP TABLE "fingerprint_packed_tracks"`);
    await q.query(`DROP TABLE "fingerprint_triplet_packed"`);
    await q.query(`DROP TABLE "fingerprint_landmark_packed"`);
  }
}
