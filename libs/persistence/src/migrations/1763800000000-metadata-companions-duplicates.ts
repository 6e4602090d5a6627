import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 3: tags and stream facts (file_metadata), companion contents and links (owned by metadata), and
 * duplicate resolutions with their members (owned by the gateway, the writer of review decisions).
 */
export class MetadataCompanionsDuplicates1763800000000 implements MigrationInterface {
  name = 'MetadataCompanionsDuplicates1763800000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "file_metadata" ("file_id" uuid NOT NULL, "content_hash" character(64) NOT NULL, "status" text NOT NULL, "failure_kind" text, "failure_reason" text, "artist" text, "title" text, "album" text, "album_artist" text, "track_no" integer, "track_of" integer, "disc_no" integer, "disc_of" integer, "year" integer, "date" text, "genre" text, "label" text, "comment" text, "isrc" text, "bpm_tag" numeric(6,2), "key_tag" text, "duration_sec" double precision, "bitrate" integer, "sample_rate" integer, "channels" smallint, "bits_per_sample" smallint, "codec" text, "container" text, "lossless" boolean, "has_cover" boolean, "artists" jsonb NOT NULL DEFAULT '[]', "genres" jsonb NOT NULL DEFAULT '[]', "tag_types" jsonb NOT NULL DEFAULT '[]', "stream" jsonb, "raw" jsonb, "warnings" jsonb NOT NULL DEFAULT '[]', "read_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_51608fb632e5b487e0401a95249" PRIMARY KEY ("file_id"))`,
    );
    await q.query(`CREATE INDEX "file_metadata_content_hash_idx" ON "file_metadata" ("content_hash")`);
    await q.query(
      `CREATE TABLE "companion_contents" ("file_id" uuid NOT NULL, "content_hash" character(64) NOT NULL, "companion_type" text NOT NULL, "status" text NOT NULL, "failure_reason" text, "encoding" text, "text" text, "truncated" boolean NOT NULL DEFAULT false, "parsed" jsonb, "parsed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_533c49597a30c75e7008adab850" PRIMARY KEY ("file_id"))`,
    );
    await q.query(
      `CREATE TABLE "companion_links" ("companion_file_id" uuid NOT NULL, "media_file_id" uuid NOT NULL, "dir_key" bytea NOT NULL, "reason" text NOT NULL, "linked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2fec3d9fcdac8a21c4176df8039" PRIMARY KEY ("companion_file_id", "media_file_id"))`,
    );
    await q.query(
      `CREATE TABLE "companion_folders" ("dir_key" bytea NOT NULL, "signature" text NOT NULL, "linked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_01b195c200c3b3504c96a3a96b2" PRIMARY KEY ("dir_key"))`,
    );
    await q.query(`CREATE INDEX "companion_links_dir_key_idx" ON "companion_links" ("dir_key")`);
    await q.query(`CREATE INDEX "companion_links_media_file_id_idx" ON "companion_links" ("media_file_id")`);
    await q.query(
      `CREATE TABLE "duplicate_resolutions" ("id" uuid NOT NULL, "group_key" text NOT NULL, "kind" text NOT NULL, "canonical_file_id" uuid NOT NULL, "canonical_was_proposed" boolean NOT NULL, "reasons" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "undone_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c38ffdf3d3bf9c64363c9ebd153" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "duplicate_resolutions_created_at_idx" ON "duplicate_resolutions" ("created_at")`);
    await q.query(
      `CREATE UNIQUE INDEX "duplicate_resolutions_active_group_key_idx" ON "duplicate_resolutions" ("group_key") WHERE "undone_at" IS NULL`,
    );
    await q.query(
      `CREATE TABLE "duplicate_resolution_members" ("resolution_id" uuid NOT NULL, "file_id" uuid NOT NULL, "role" text NOT NULL, "content_hash" character(64) NOT NULL, CONSTRAINT "PK_704f8fcdfed06dedbdedc30d367" PRIMARY KEY ("resolution_id", "file_id"))`,
    );
    await q.query(
      `CREATE INDEX "duplicate_resolution_members_file_id_idx" ON "duplicate_resolution_members" ("file_id")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "duplicate_resolution_members"`);
    await q.query(`DROP TABLE "duplicate_resolutions"`);
    await q.query(`DROP TABLE "companion_folders"`);
    await q.query(`DROP TABLE "companion_links"`);
    await q.query(`DROP TABLE "companion_contents"`);
    await q.query(`DROP TABLE "file_metadata"`);
  }
}
