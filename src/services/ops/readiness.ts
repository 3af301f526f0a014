import { Migrator, sql } from "kysely";
import { migrationsFor } from "../../../migrations/index.js";
import type { Database } from "../../db/database.js";

/** Ready, or why not in words an operator (or a load balancer's log) can act on. */
export type Readiness = { ready: true } | { ready: false; reason: string };

/**
 * Whether this process can serve: the database (SQLite file or PostgreSQL server) answers a
 * query and its schema is the one this code was built for. A failure is an answer, never an
 * exception, because a probe asks exactly when things go wrong. The reason never carries the
 * driver's message: it could name the server, the role or the file behind DATABASE_URL.
 */
export async function checkReadiness({
  kind,
  db,
}: Pick<Database, "kind" | "db">): Promise<Readiness> {
  const name = kind === "postgres" ? "PostgreSQL" : "SQLite";
  try {
    await sql`select 1`.execute(db);
  } catch {
    return { ready: false, reason: `the ${name} database does not answer` };
  }
  try {
    // Reads the migration table only: getMigrations creates nothing and runs nothing, and on
    // a database without the table (never migrated) it lists every migration as pending.
    const known = await new Migrator({
      db,
      provider: { getMigrations: async () => migrationsFor(kind) },
    }).getMigrations();
    const pending = known.filter((migration) => migration.executedAt === undefined);
    if (pending.length === 0) return { ready: true };
    const names = pending.map((migration) => migration.name).join(", ");
    return {
      ready: false,
      reason: `${pending.length} ${name} migration${pending.length === 1 ? " is" : "s are"} pending (${names}): run npm run migrate`,
    };
  } catch {
    return { ready: false, reason: `the ${name} migration table cannot be read` };
  }
}
