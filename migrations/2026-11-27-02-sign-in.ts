import type { Kysely } from "kysely";
import { strictTable } from "../src/db/sqlite/sqlite.js";

/**
 * Sign-in (issue 3): secrets the server keeps across restarts (the CSRF HMAC key) and a flag
 * that makes a user with an admin-issued password choose their own at first sign-in.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("server_secrets")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .modifyEnd(strictTable)
    .execute();
  await db.schema
    .alterTable("users")
    .addColumn("must_change_password", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("sessions_expires_at").on("sessions").column("expires_at").execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("sessions_expires_at").execute();
  await db.schema.alterTable("users").dropColumn("must_change_password").execute();
  await db.schema.dropTable("server_secrets").execute();
}
