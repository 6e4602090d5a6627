import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 5: what the analysis stage measured per file (file_analysis, owned by analysis), indexed for the BPM and key filters. */
export class FileAnalysis1763900000000 implements MigrationInterface {
  name = 'FileAnalysis1763900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "file_analysis" ("file_id" uuid NOT NULL, "content_hash" character(64) NOT NULL, "analysis_version" integer NOT NULL, "status" text NOT NULL, "failure_reason" text, "bpm" numeric(6,2), "camelot" text, "key" text, "lufs" double precision, "energy" smallint, "tags_disagree" boolean NOT NULL DEFAULT false, "result" jsonb, "analysed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_269310b3449dfd488130d6cff8c" PRIMARY KEY ("file_id"))`,
    );
    await q.query(`CREATE INDEX "file_analysis_bpm_idx" ON "file_analysis" ("bpm")`);
    await q.query(`CREATE INDEX "file_analysis_camelot_idx" ON "file_analysis" ("camelot")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "file_analysis"`);
  }
}
