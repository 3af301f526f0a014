import formbody from "@fastify/formbody";
import Fastify, { type FastifyInstance } from "fastify";
import type { Config } from "./config.js";
import { createDb, type Database } from "./db/database.js";
import { migrateToLatest } from "./db/migrate.js";
import { currentUserPlugin } from "./plugins/current-user.js";
import { dbPlugin } from "./plugins/db.js";
import { errorsPlugin } from "./plugins/errors.js";
import { flashPlugin } from "./plugins/flash.js";
import { htmxPlugin } from "./plugins/htmx.js";
import { renderPlugin } from "./plugins/render.js";
import { securityHeadersPlugin } from "./plugins/security-headers.js";
import { staticPlugin } from "./plugins/static.js";
import { businessRoutes } from "./routes/businesses.js";
import { callPurposeRoutes } from "./routes/call-purposes.js";
import { healthRoutes } from "./routes/health.js";
import { homeRoutes } from "./routes/home.js";
import { programRoutes } from "./routes/programs.js";
import { unitRoutes } from "./routes/units.js";

/** Sized for an upload of 100,000 numbers (product.md §4). */
export const BODY_LIMIT = 8 * 1024 * 1024;

export interface AppOptions {
  config: Config;
  /** An already-open database (tests); otherwise opened from config.databaseUrl. */
  database?: Database;
  logger?: boolean;
}

/** Builds the portal: plugins and routes in one visible order. */
export async function buildApp({
  config,
  database,
  logger = true,
}: AppOptions): Promise<FastifyInstance> {
  const db = database ?? createDb(config.databaseUrl);
  await migrateToLatest(db.db);

  const app = Fastify({
    logger: logger ? { level: config.logLevel } : false,
    bodyLimit: BODY_LIMIT,
    requestTimeout: 60_000,
    // Ids in URLs are digits only; anything else is simply not a page (404).
    routerOptions: { ignoreTrailingSlash: true },
  });

  await app.register(dbPlugin, { database: db });
  await app.register(securityHeadersPlugin, { hsts: false });
  await app.register(htmxPlugin);
  await app.register(flashPlugin);
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  await app.register(currentUserPlugin, { adminEmail: config.adminEmail ?? "admin@localhost" });
  await app.register(renderPlugin, { supportUrl: config.supportUrl, cache: config.viewCache });
  await app.register(errorsPlugin);
  await app.register(staticPlugin);

  await app.register(healthRoutes);
  await app.register(homeRoutes);
  await app.register(businessRoutes);
  await app.register(unitRoutes);
  await app.register(programRoutes);
  await app.register(callPurposeRoutes);
  return app;
}
