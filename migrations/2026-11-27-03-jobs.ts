import { type Kysely, sql } from "kysely";
import { strictTable } from "../src/db/sqlite/sqlite.js";

/**
 * Bulk runs (issue 5): every add or delete run, manual or uploaded, is a job with one
 * outcome per line, so results can be paged, downloaded and looked at again later.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("jobs")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('add', 'delete')`))
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("user_id", "integer")
    .addColumn("user_email", "text", (c) => c.notNull())
    .addColumn("level_kind", "text", (c) => c.notNull())
    .addColumn("level_id", "integer", (c) => c.notNull())
    .addColumn("business_id", "integer", (c) => c.notNull())
    .addColumn("business_unit_id", "integer")
    .addColumn("program_id", "integer")
    .addColumn("level_name", "text", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("succeeded", "integer", (c) => c.notNull())
    .addColumn("rejected", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .modifyEnd(strictTable)
    .execute();
  await db.schema.createIndex("jobs_business").on("jobs").columns(["business_id", "id"]).execute();
  await db.schema
    .createTable("job_outcomes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("job_id", "integer", (c) => c.notNull().references("jobs.id").onDelete("cascade"))
    .addColumn("line", "integer", (c) => c.notNull())
    .addColumn("input", "text", (c) => c.notNull())
    .addColumn("e164", "text")
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("code", "text")
    .addColumn("message", "text")
    .modifyEnd(strictTable)
    .execute();
  await db.schema
    .createIndex("job_outcomes_job")
    .on("job_outcomes")
    .columns(["job_id", "outcome", "id"])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("job_outcomes").execute();
  await db.schema.dropTable("jobs").execute();
}
