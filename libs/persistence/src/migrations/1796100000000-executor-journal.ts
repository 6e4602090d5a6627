import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 15: the executor's plans, executions, write-ahead journal (execution_operations) and audit steps, all owned by executor. */
export class ExecutorJournal1796100000000 implements MigrationInterface {
  name = 'ExecutorJournal1796100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "execution_plans" ("id" uuid NOT NULL, "mode" text NOT NULL, "status" text NOT NULL, "options" jsonb NOT NULL, "totals" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2d62b14051113e6dc6f2d6ea6e0" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "execution_plans_created_at_idx" ON "execution_plans"  ("created_at", "id") `);
    await q.query(
      `CREATE TABLE "execution_plan_items" ("id" uuid NOT NULL, "plan_id" uuid NOT NULL, "seq" integer NOT NULL, "role" text NOT NULL, "file_id" uuid, "proposal_id" uuid, "parent_item_id" uuid, "source_path" text NOT NULL, "source_key" bytea NOT NULL, "destination_path" text, "destination_key" bytea, "size" bigint NOT NULL, "mtime_ms" double precision NOT NULL, "dev" text, "ino" text, "content_hash" character(64) NOT NULL, "same_filesystem" boolean, "status" text NOT NULL, "blocked_reason" text, CONSTRAINT "PK_4cd8a992d90534c38d62cf982d1" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "execution_plan_items_plan_idx" ON "execution_plan_items"  ("plan_id", "seq") `);
    await q.query(
      `CREATE TABLE "executions" ("id" uuid NOT NULL, "plan_id" uuid, "kind" text NOT NULL, "undo_of" uuid, "mode" text NOT NULL, "status" text NOT NULL, "options" jsonb NOT NULL, "error" text, "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_703e64e0ef651986191844b7b8b" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "executions_status_idx" ON "executions"  ("status") `);
    await q.query(`CREATE INDEX "executions_created_at_idx" ON "executions"  ("created_at", "id") `);
    await q.query(
      `CREATE TABLE "execution_operations" ("id" uuid NOT NULL, "execution_id" uuid NOT NULL, "seq" integer NOT NULL, "kind" text NOT NULL, "role" text NOT NULL, "file_id" uuid, "plan_item_id" uuid, "parent_operation_id" uuid, "undo_of_operation_id" uuid, "source_path" text NOT NULL, "source_key" bytea NOT NULL, "destination_path" text NOT NULL, "destination_key" bytea NOT NULL, "temp_key" bytea, "temp_ino" text, "method" text, "size" bigint NOT NULL, "mtime_ms" double precision NOT NULL, "dev" text, "ino" text, "content_hash" character(64) NOT NULL, "created_dirs" bytea array NOT NULL DEFAULT '{}', "phase" text NOT NULL, "status" text NOT NULL, "error" text, "error_code" text, "result" jsonb, "attempts" bigint NOT NULL DEFAULT '0', "announced_at" TIMESTAMP WITH TIME ZONE, "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_35b172445987f11972809156725" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "execution_operations_unannounced_idx" ON "execution_operations"  ("execution_id") WHERE status = 'done' AND announced_at IS NULL`,
    );
    await q.query(`CREATE INDEX "execution_operations_file_idx" ON "execution_operations"  ("file_id") `);
    await q.query(
      `CREATE INDEX "execution_operations_unfinished_idx" ON "execution_operations"  ("status") WHERE status IN ('pending', 'running')`,
    );
    await q.query(
      `CREATE INDEX "execution_operations_execution_idx" ON "execution_operations"  ("execution_id", "seq") `,
    );
    await q.query(
      `CREATE TABLE "execution_steps" ("id" BIGSERIAL NOT NULL, "execution_id" uuid NOT NULL, "operation_id" uuid NOT NULL, "phase" text NOT NULL, "status" text NOT NULL, "source_path" text NOT NULL, "destination_path" text NOT NULL, "detail" jsonb, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c04cbd28a0bbe6b7f7d17fa0abc" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "execution_steps_operation_idx" ON "execution_steps"  ("operation_id", "id") `);
    await q.query(`CREATE INDEX "execution_steps_execution_idx" ON "execution_steps"  ("execution_id", "id") `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."execution_steps_execution_idx"`);
    await q.query(`DROP INDEX "public"."execution_steps_operation_idx"`);
    await q.query(`DROP TABLE "execution_steps"`);
    await q.query(`DROP INDEX "public"."execution_operations_execution_idx"`);
    await q.query(`DROP INDEX "public"."execution_operations_unfinished_idx"`);
    await q.query(`DROP INDEX "public"."execution_operations_file_idx"`);
    await q.query(`DROP INDEX "public"."execution_operations_unannounced_idx"`);
    await q.query(`DROP TABLE "execution_operations"`);
    await q.query(`DROP INDEX "public"."executions_created_at_idx"`);
    await q.query(`DROP INDEX "public"."executions_status_idx"`);
    await q.query(`DROP TABLE "executions"`);
    await q.query(`DROP INDEX "public"."execution_plan_items_plan_idx"`);
    await q.query(`DROP TABLE "execution_plan_items"`);
    await q.query(`DROP INDEX "public"."execution_plans_created_at_idx"`);
    await q.query(`DROP TABLE "execution_plans"`);
  }
}
