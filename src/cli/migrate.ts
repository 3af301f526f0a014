import { loadConfig } from "../config.js";
import { createDb } from "../db/database.js";
import { migrateToLatest } from "../db/migrate.js";

/** `npm run migrate`: brings the configured database to the latest schema. */
const config = loadConfig();
const database = createDb(config.databaseUrl);
try {
  const applied = await migrateToLatest(database);
  console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date.");
} finally {
  await database.close();
}
