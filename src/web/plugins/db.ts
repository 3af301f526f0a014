import fp from "fastify-plugin";
import type { Kysely } from "kysely";
import type { Database, DB } from "../../db/database.js";
import { SharedRateCounter } from "../../services/ops/rate-limits.js";
import { ReadCache } from "../../services/read-cache.js";

declare module "fastify" {
  interface FastifyInstance {
    db: Kysely<DB>;
    database: Database;
    /** Costly reads (exact counts, the digit index), forgotten whenever the data changes. */
    readCache: ReadCache;
    /** Rate limits counted in the database, shared by every instance on it. */
    rateCounter: SharedRateCounter;
  }
}

/** Shares the open, migrated database with every route and closes it when the server stops. */
export const dbPlugin = fp<{ database: Database }>(
  async (app, { database }) => {
    app.decorate<Database>("database", database);
    app.decorate("db", database.db);
    app.decorate("readCache", new ReadCache(database.dataVersion));
    app.decorate("rateCounter", new SharedRateCounter(database.db));
    app.addHook("onClose", async () => {
      await database.close();
    });
  },
  { name: "db" },
);
