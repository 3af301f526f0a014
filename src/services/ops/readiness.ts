import { type Kysely, Migrator, sql } from "kysely";
import { migrations } from "../../../migrations/index.js";

/**
 * Whether this process can serve: the database answers a query and its schema is the one
 * this code was built for. A failure is an answer (false), never an exception, because a
 * probe asks exactly when things go wrong.
 */
// biome-ignore lint/suspicious/noExplicitAny: only the migration table is read
export async function isReady(db: Kysely<any>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    // Reads the migration table only (getMigrations never creates or runs anything).
    const known = await new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
    }).getMigrations();
    return known.every((migration) => migration.executedAt !== undefined);
  } catch {
    return false;
  }
}
