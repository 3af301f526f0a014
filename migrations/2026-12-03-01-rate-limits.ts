import type { Kysely } from "kysely";
import { strictTable } from "../src/db/sqlite/sqlite.js";

/**
 * Rate limits counted in the database (issue 14), so that several portal instances share
 * them: one row per limited key (sign-in address or account, upload user, API token) with
 * the hits in its current window and when that window ends, in milliseconds since the epoch.
 * The key is a hash of the limiter's own key (services/ops/rate-limits.ts). Rows whose window
 * ended are deleted by range on `resets_at`. The same table on PostgreSQL
 * (postgres/2026-12-03-01-rate-limits.ts).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("rate_limits")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("hits", "integer", (c) => c.notNull())
    .addColumn("resets_at", "integer", (c) => c.notNull())
    .modifyEnd(strictTable)
    .execute();
  await db.schema
    .createIndex("rate_limits_resets_at")
    .on("rate_limits")
    .column("resets_at")
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("rate_limits").execute();
}
