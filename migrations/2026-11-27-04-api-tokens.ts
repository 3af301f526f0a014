import { type Kysely, sql } from "kysely";
import { strictTable } from "../src/db/sqlite/sqlite.js";

/**
 * API tokens (issue 6): personal tokens for scripts (`Authorization: Bearer …`). Only the
 * SHA-256 of a token is stored, so a copy of the database opens nothing. A revoked token keeps
 * its row, so the audit events it wrote still name it. Audit events record the token a
 * request came with (no foreign key: the log outlives what it mentions).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("api_tokens")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("hint", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text")
    .addColumn("revoked_at", "text")
    .modifyEnd(strictTable)
    .execute();
  // A user's live tokens have distinct names (case-insensitive), so "revoke deploy" is clear.
  await sql`create unique index api_tokens_live_name on api_tokens (user_id, lower(name)) where revoked_at is null`.execute(
    db,
  );
  await db.schema.alterTable("audit_events").addColumn("actor_token_id", "integer").execute();
  await db.schema.alterTable("audit_events").addColumn("actor_token_name", "text").execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("audit_events").dropColumn("actor_token_name").execute();
  await db.schema.alterTable("audit_events").dropColumn("actor_token_id").execute();
  await db.schema.dropTable("api_tokens").execute();
}
