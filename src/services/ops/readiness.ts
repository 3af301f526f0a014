import { Migrator, sql } from "kysely";
import { migrationsFor } from "../../../migrations/index.js";
import type { Database } from "../../db/database.js";

/**
 * Whether this process can serve: the database answers a query and its schema is the one
 * this code was built for. A failure is an answer (false), never an exception, because a
 * probe asks exactly when things go wrong.
 */
export async function isReady({ kind, db }: Pick<Database, "kind" | "db">): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    // Reads the migration table only (getMigrations never creates or runs anything).
    const known = await new Migrator({
      db,
      provider: { getMigrations: async () => migrationsFor(kind) },
    }).getMigrations();
    return known.every((migration) => migration.executedAt !== undefined);
  } catch {
    return false;
  }
}
