import fp from "fastify-plugin";
import type { Kysely } from "kysely";
import type { Database, DB } from "../../db/database.js";
import {
  MemoryRateCounter,
  type RateCounter,
  SharedRateCounter,
} from "../../services/ops/rate-limits.js";
import { ReadCache } from "../../services/read-cache.js";

declare module "fastify" {
  interface FastifyInstance {
    db: Kysely<DB>;
    database: Database;
    /** Costly reads (exact counts, the digit index), forgotten whenever the data changes. */
    readCache: ReadCache;
    /** Where rate limits are counted (see services/ops/rate-limits.ts). */
    rateCounter: RateCounter;
  }
}

/** Shares the open, migrated database with every route and closes it when the server stops. */
export const dbPlugin = fp<{ database: Database }>(
  async (app, { database }) => {
    app.decorate<Database>("database", database);
    app.decorate("db", database.db);
    app.decorate("readCache", new ReadCache(database.dataVersion));
    // PostgreSQL: in the database, shared by every instance on it. SQLite (one process on one
    // box): in memory, as before, because there every write waits for the file's one write
    // lock, and a sign-in or upload must not queue behind a bulk run just to be counted.
    app.decorate<RateCounter>(
      "rateCounter",
      database.kind === "postgres" ? new SharedRateCounter(database.db) : new MemoryRateCounter(),
    );
    app.addHook("onClose", async () => {
      await database.close();
    });
  },
  { name: "db" },
);
