import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Files, scans, per-stage statuses and file history: the spine's tables, all owned by ingest. */
export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(
      `CREATE TABLE "files" ("id" uuid NOT NULL, "root" text NOT NULL, "path" text NOT NULL, "path_key" bytea NOT NULL, "path_is_utf8" boolean NOT NULL DEFAULT true, "dir_key" bytea NOT NULL, "name" text NOT NULL, "ext" text NOT NULL, "kind" text NOT NULL, "size" bigint NOT NULL, "mtime_ms" double precision NOT NULL, "content_hash" character(64) NOT NULL, "state" text NOT NULL DEFAULT 'DISCOVERED', "missing_since" TIMESTAMP WITH TIME ZONE, "missing_scan_id" uuid, "first_seen_scan_id" uuid NOT NULL, "last_seen_scan_id" uuid NOT NULL, "changed_scan_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_b3853ceab2da1c22a171c57f2eb" UNIQUE ("path_key"), CONSTRAINT "PK_6c16b9093a142e0e7613b04a3d9" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "files_content_hash_idx" ON "files" ("content_hash")`);
    await q.query(`CREATE INDEX "files_kind_idx" ON "files" ("kind")`);
    await q.query(`CREATE INDEX "files_state_idx" ON "files" ("state")`);
    await q.query(`CREATE INDEX "files_dir_key_idx" ON "files" ("dir_key")`);
    await q.query(`CREATE INDEX "files_path_id_idx" ON "files" ("path", "id")`);
    await q.query(`CREATE INDEX "files_path_trgm_idx" ON "files" USING gin ("path" gin_trgm_ops)`);
    await q.query(
      `CREATE TABLE "file_history" ("id" BIGSERIAL NOT NULL, "file_id" uuid NOT NULL, "event" text NOT NULL, "from_state" text, "to_state" text, "detail" jsonb, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0deb31e450cde5a323d8af4aa3a" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "file_history_file_id_idx" ON "file_history" ("file_id", "id")`);
    await q.query(
      `CREATE TABLE "file_stage_statuses" ("file_id" uuid NOT NULL, "stage" text NOT NULL, "status" text NOT NULL, "content_hash" character(64) NOT NULL, "reason" text, "attempts" integer NOT NULL DEFAULT '0', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7055bb23b63ef5734781fbb9e90" PRIMARY KEY ("file_id", "stage"))`,
    );
    await q.query(`CREATE INDEX "file_stage_statuses_stage_status_idx" ON "file_stage_statuses" ("stage", "status")`);
    await q.query(
      `CREATE TABLE "scans" ("id" uuid NOT NULL, "root" text NOT NULL, "path" text NOT NULL, "status" text NOT NULL, "counts" jsonb NOT NULL, "error" text, "attempts" integer NOT NULL DEFAULT '0', "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_41156c08314b9e541c1cb18c588" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "scans_created_at_idx" ON "scans" ("created_at")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "scans"`);
    await q.query(`DROP TABLE "file_stage_statuses"`);
    await q.query(`DROP TABLE "file_history"`);
    await q.query(`DROP TABLE "files"`);
  }
}
