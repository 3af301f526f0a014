import { type Kysely, type MigrationProvider, Migrator } from "kysely";
import { migrations } from "../../migrations/index.js";
import type { Database } from "./database.js";
import { withMigrationLock } from "./postgres/postgres.js";

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Brings the schema to the latest migration; throws with the failing migration's name. On
 * PostgreSQL it holds an advisory lock meanwhile, so instances starting at once (or
 * `npm run migrate` beside a starting portal) migrate once: the others wait, then find
 * nothing to do. On SQLite the file's write lock does that already.
 */
export async function migrateToLatest(database: Pick<Database, "kind" | "db">): Promise<string[]> {
  if (database.kind === "postgres") return withMigrationLock(database.db, migrateOn);
  return migrateOn(database.db);
}

// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
async function migrateOn(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? "(unknown)"} failed: ${detail}`);
  }
  return (results ?? []).map((r) => r.migrationName);
}
