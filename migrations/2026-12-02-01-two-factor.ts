import { type Kysely, sql } from "kysely";
import { strictTable } from "../src/db/sqlite/sqlite.js";

/**
 * Two-factor sign-in (issue 13): a user's authenticator secret (TOTP, RFC 6238) and the last
 * time step a code was accepted for (so no code works twice), their one-time recovery codes
 * (SHA-256 only: each is 50 random bits, shown once), the sign-ins waiting for a code (only
 * the hash of the cookie's token), and the rules that require a second factor: a row without
 * a business for the whole portal, or one per business.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("two_factor")
    .addColumn("user_id", "integer", (c) =>
      c.primaryKey().references("users.id").onDelete("cascade"),
    )
    // Base32, as authenticator apps take it. Null until the first code confirms enrolment.
    .addColumn("secret", "text")
    .addColumn("pending_secret", "text")
    .addColumn("last_step", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("enabled_at", "text")
    .modifyEnd(strictTable)
    .execute();
  await db.schema
    .createTable("recovery_codes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .modifyEnd(strictTable)
    .execute();
  await db.schema
    .createIndex("recovery_codes_user")
    .on("recovery_codes")
    .column("user_id")
    .execute();
  await db.schema
    .createTable("sign_in_challenges")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("next", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .modifyEnd(strictTable)
    .execute();
  await db.schema
    .createTable("two_factor_rules")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    // Null: the whole portal.
    .addColumn("business_id", "integer", (c) => c.references("businesses.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .modifyEnd(strictTable)
    .execute();
  await sql`create unique index two_factor_rules_place on two_factor_rules (coalesce(business_id, 0))`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("two_factor_rules").execute();
  await db.schema.dropTable("sign_in_challenges").execute();
  await db.schema.dropTable("recovery_codes").execute();
  await db.schema.dropTable("two_factor").execute();
}
