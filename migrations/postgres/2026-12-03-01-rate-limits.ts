import { type Kysely, sql } from "kysely";

/**
 * Rate limits counted in the database, shared by every instance: the same table as SQLite's
 * ../2026-12-03-01-rate-limits.ts. Not versioned (no data_version trigger): no cached answer
 * reads it, and sign-ins must not empty the instances' caches.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table rate_limits (
      key text primary key,
      hits bigint not null,
      resets_at bigint not null
    )
  `.execute(db);
  await sql`create index rate_limits_resets_at on rate_limits (resets_at)`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table rate_limits`.execute(db);
}
