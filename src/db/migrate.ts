import { type Kysely, Migrator } from "kysely";
import { migrationsFor } from "../../migrations/index.js";
import type { Database } from "./database.js";
import { withMigrationLock } from "./postgres/postgres.js";

/**
 * Brings the schema to the latest migration; throws with the failing migration's name. On
 * PostgreSQL it holds an advisory lock meanwhile, so instances starting at once (or
 * `npm run migrate` beside a starting portal) migrate once: the others wait, then find
 * nothing to do. On SQLite the file's write lock does that already.
 */
export async function migrateToLatest(database: Pick<Database, "kind" | "db">): Promise<string[]> {
  const migrations = migrationsFor(database.kind);
  // biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
  const migrate = (db: Kysely<any>) => migrateOn(db, migrations);
  if (database.kind === "postgres") return withMigrationLock(database.db, migrate);
  return migrate(database.db);
}

async function migrateOn(
  // biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
  db: Kysely<any>,
  migrations: ReturnType<typeof migrationsFor>,
): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? "(unknown)"} failed: ${detail}`);
  }
  return (results ?? []).map((r) => r.migrationName);
}
