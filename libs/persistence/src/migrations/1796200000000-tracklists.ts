import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tracklists (owned by tracklists) and the person-made tracklist review decisions (owned by the gateway). */
export class Tracklists1796200000000 implements MigrationInterface {
  name = 'Tracklists1796200000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "tracklists" ("id" uuid NOT NULL, "source" text NOT NULL, "source_key" text NOT NULL, "source_url" text, "title" text, "artist" text, "event" text, "date" text, "current_version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e60b82cfbfd7d7558f3a005e3f9" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "tracklists_source_key_idx" ON "tracklists"  ("source", "source_key") `);
    await q.query(
      `CREATE TABLE "tracklist_versions" ("tracklist_id" uuid NOT NULL, "version" integer NOT NULL, "signature" character(64) NOT NULL, "track_count" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_148fdd5baf20a122159847656e9" PRIMARY KEY ("tracklist_id", "version"))`,
    );
    await q.query(
      `CREATE TABLE "tracklist_tracks" ("id" uuid NOT NULL, "tracklist_id" uuid NOT NULL, "version" integer NOT NULL, "position" integer NOT NULL, "artist" text, "title" text, "remix" text, "label" text, "cue_sec" double precision, "end_sec" double precision, "speed" double precision, "confidence" double precision, "unknown" boolean NOT NULL DEFAULT false, "recording_hash" character(64), CONSTRAINT "PK_bbe2df0f1aacdd31401003719a9" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "tracklist_tracks_version_idx" ON "tracklist_tracks"  ("tracklist_id", "version", "position") `,
    );
    await q.query(
      `CREATE TABLE "tracklist_links" ("tracklist_id" uuid NOT NULL, "content_hash" character(64) NOT NULL, "made_by" text NOT NULL, "score" integer, "linked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a0a32c1abbcaab6c770ce860dcd" PRIMARY KEY ("tracklist_id", "content_hash"))`,
    );
    await q.query(`CREATE INDEX "tracklist_links_content_hash_idx" ON "tracklist_links"  ("content_hash") `);
    await q.query(
      `CREATE TABLE "tracklist_lookups" ("content_hash" character(64) NOT NULL, "query" text NOT NULL, "status" text NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "candidates" jsonb NOT NULL DEFAULT '[]', "tracklist_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c14f9be87d7112645ccb4ee7afa" PRIMARY KEY ("content_hash"))`,
    );
    await q.query(`CREATE INDEX "tracklist_lookups_next_attempt_idx" ON "tracklist_lookups"  ("next_attempt_at") `);
    await q.query(
      `CREATE TABLE "tracklist_host_schedule" ("host" text NOT NULL, "next_at" TIMESTAMP WITH TIME ZONE NOT NULL, "failures" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_acae7a0e473ffcaf05c19585e01" PRIMARY KEY ("host"))`,
    );
    await q.query(
      `CREATE TABLE "tracklist_decisions" ("tracklist_id" uuid NOT NULL, "status" text NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3b45f1f54053a46d2bd1c47df56" PRIMARY KEY ("tracklist_id"))`,
    );
    await q.query(
      `CREATE TABLE "tracklist_link_decisions" ("tracklist_id" uuid NOT NULL, "content_hash" character(64) NOT NULL, "linked" boolean NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ba5ea3de0a3434e96ee25642c4d" PRIMARY KEY ("tracklist_id", "content_hash"))`,
    );
    await q.query(
      `CREATE INDEX "tracklist_link_decisions_content_hash_idx" ON "tracklist_link_decisions"  ("content_hash") `,
    );
    await q.query(
      `CREATE TABLE "tracklist_track_edits" ("track_id" uuid NOT NULL, "tracklist_id" uuid NOT NULL, "changes" jsonb NOT NULL DEFAULT '{}', "deleted" boolean NOT NULL DEFAULT false, "reason" text, "edited_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f89ff5929a1c9dc93674b6d2ec1" PRIMARY KEY ("track_id"))`,
    );
    await q.query(`CREATE INDEX "tracklist_track_edits_tracklist_idx" ON "tracklist_track_edits"  ("tracklist_id") `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."tracklist_track_edits_tracklist_idx"`);
    await q.query(`DROP TABLE "tracklist_track_edits"`);
    await q.query(`DROP INDEX "public"."tracklist_link_decisions_content_hash_idx"`);
    await q.query(`DROP TABLE "tracklist_link_decisions"`);
    await q.query(`DROP TABLE "tracklist_decisions"`);
    await q.query(`DROP TABLE "tracklist_host_schedule"`);
    await q.query(`DROP INDEX "public"."tracklist_lookups_next_attempt_idx"`);
    await q.query(`DROP TABLE "tracklist_lookups"`);
    await q.query(`DROP INDEX "public"."tracklist_links_content_hash_idx"`);
    await q.query(`DROP TABLE "tracklist_links"`);
    await q.query(`DROP INDEX "public"."tracklist_tracks_version_idx"`);
    await q.query(`DROP TABLE "tracklist_tracks"`);
    await q.query(`DROP TABLE "tracklist_versions"`);
    await q.query(`DROP INDEX "public"."tracklists_source_key_idx"`);
    await q.query(`DROP TABLE "tracklists"`);
  }
}
