import { createDb } from "../../../db/database.js";
import { migrateToLatest } from "../../../db/migrate.js";
import { ConflictError } from "../../../domain/errors.js";
import type { SeedCommand } from "./args.js";
import { seedBulk } from "./bulk.js";
import { seedDemo } from "./demo.js";
import { postgresDatabaseBytes, seedBulkPostgres } from "./postgres-seed.js";
import { checkpointAndMeasure, type SeedCounts } from "./writer.js";

export interface SeedReport extends SeedCounts {
  /** Size on disk after the write-ahead log was folded into the main file (SQLite), or
   * pg_database_size (PostgreSQL). */
  databaseBytes: number;
}

/**
 * Opens the database, brings its schema up to date, seeds it and checkpoints it, so the size
 * reported is the file an operator would copy (on PostgreSQL: the database's size). Throws ConflictError when the demo is refused.
 */
export async function runSeed(
  databaseUrl: string,
  command: SeedCommand,
  onProgress?: (inserted: number, total: number) => void,
): Promise<SeedReport> {
  const database = createDb(databaseUrl);
  try {
    await migrateToLatest(database);
    if (database.kind === "postgres") {
      if (command.kind === "demo") {
        throw new ConflictError(
          "npm run seed -- --demo runs on SQLite only for now; on PostgreSQL use --numbers N.",
        );
      }
      const counts = await seedBulkPostgres(database, { numbers: command.numbers, onProgress });
      return { ...counts, databaseBytes: await postgresDatabaseBytes(database) };
    }
    const counts =
      command.kind === "demo"
        ? seedDemo(database)
        : seedBulk(database, { numbers: command.numbers, onProgress });
    return { ...counts, databaseBytes: checkpointAndMeasure(database.handle) };
  } finally {
    await database.close();
  }
}
