import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14, point 6: index upgrades. A second slot of index tables (`fingerprint_b_*`, the same shapes as the
 * slot-a tables of 1795239009174 and 1796300000000, plus `fingerprint_b_tracks` for that slot's per-track
 * facts), `fingerprint_index_generations` (which generation is active, which is building, in which slot) and
 * `fingerprint_rebuild_failures` (tracks a rebuild could not re-index, with the reason). The existing index
 * becomes generation 1, active in slot a, at the algorithm version its tracks were indexed with. No entities:
 * @crateflow/fingerprint's FINGERPRINT_SCHEMA_SQL is the reference the drift test compares with.
 */
export class FingerprintIndexGenerations1796370000000 implements MigrationInterface {
  name = 'FingerprintIndexGenerations1796370000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "fingerprint_b_tracks" (
      "track_id" int4 PRIMARY KEY,
      "duration_sec" real,
      "landmark_postings" int4,
      "triplet_postings" int4,
      "algorithm_version" int2,
      "indexed_at" timestamptz)`);
    for (const strategy of ['landmark', 'triplet']) {
      const table = `fingerprint_b_${strategy}_postings`;
      await q.query(
        `CREATE TABLE "${table}" ("hash" int4 NOT NULL, "track_id" int4 NOT NULL, "t" int4 NOT NULL, "aux" int4 NOT NULL)`,
      );
      await q.query(`CREATE INDEX "${table}_hash_idx" ON "${table}" ("hash") INCLUDE ("track_id", "t", "aux")`);
      await q.query(`CREATE INDEX "${table}_track_idx" ON "${table}" ("track_id")`);
    }
    for (const strategy of ['landmark', 'triplet']) {
      await q.query(
        `CREATE TABLE "fingerprint_b_${strategy}_packed" ("hash_key" int4 PRIMARY KEY, "postings" bytea NOT NULL)`,
      );
    }
    await q.query(`CREATE TABLE "fingerprint_b_packed_tracks" (
      "track_id" int4 NOT NULL,
      "strategy" text NOT NULL,
      "postings" int4 NOT NULL,
      "first_frame" int4,
      "last_frame" int4,
      PRIMARY KEY ("track_id", "strategy"))`);
    await q.query(`CREATE TABLE "fingerprint_b_tombstones" (
      "track_id" int4 PRIMARY KEY,
      "removed_at" timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE "fingerprint_index_generations" (
      "generation" int4 PRIMARY KEY,
      "slot" text NOT NULL CHECK ("slot" IN ('a', 'b')),
      "algorithm_version" int2 NOT NULL,
      "layout_version" int2 NOT NULL,
      "state" text NOT NULL CHECK ("state" IN ('building', 'active', 'retired')),
      "total_tracks" int4 NOT NULL DEFAULT 0,
      "enqueued_through" int4,
      "sweeps" int4 NOT NULL DEFAULT 0,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "activated_at" timestamptz,
      "retired_at" timestamptz,
      "dropped_at" timestamptz)`);
    await q.query(
      `CREATE UNIQUE INDEX "fingerprint_index_generations_one_active" ON "fingerprint_index_generations" ("state") WHERE "state" IN ('building', 'active')`,
    );
    await q.query(`CREATE TABLE "fingerprint_rebuild_failures" (
      "generation" int4 NOT NULL,
      "track_id" int4 NOT NULL,
      "reason" text NOT NULL,
      "failed_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("generation", "track_id"))`);
    // The index as it is becomes generation 1 (layout 1: the packed layout of 1796300000000).
    await q.query(`INSERT INTO "fingerprint_index_generations" ("generation", "slot", "algorithm_version", "layout_version", "state", "activated_at")
      SELECT 1, 'a', coalesce((SELECT min("algorithm_version") FROM "fingerprint_tracks" WHERE "indexed_at" IS NOT NULL), 1), 1, 'active', now()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // Slot a is the index the previous schema reads. When slot b holds the active generation, its postings
    // cannot move back without the rebuild (the previous code has none): slot a's tracks are then marked not
    // indexed, and the stage indexes them again.
    await q.query(`UPDATE "fingerprint_tracks" SET "indexed_at" = NULL
      WHERE EXISTS (SELECT 1 FROM "fingerprint_index_generations" WHERE "state" = 'active' AND "slot" = 'b')`);
    for (const t of [
      'fingerprint_rebuild_failures',
      'fingerprint_index_generations',
      'fingerprint_b_tombstones',
      'fingerprint_b_packed_tracks',
      'fingerprint_b_triplet_packed',
      'fingerprint_b_landmark_packed',
      'fingerprint_b_triplet_postings',
      'fingerprint_b_landmark_postings',
      'fingerprint_b_tracks',
    ]) {
      await q.query(`DROP TABLE "${t}"`);
    }
  }
}
