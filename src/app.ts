import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance } from "fastify";
import type { Config } from "./config.js";
import { createDb, type Database } from "./db/database.js";
import { migrateToLatest } from "./db/migrate.js";
import { setHomeRegion } from "./domain/phone-format.js";
import { type LogStream, loggerOptions, requestIdFor } from "./logging.js";
import { activityRoutes } from "./routes/audit/activity.js";
import { businessRoutes } from "./routes/hierarchy/businesses.js";
import { callPurposeRoutes } from "./routes/hierarchy/call-purposes.js";
import { programRoutes } from "./routes/hierarchy/programs.js";
import { unitRoutes } from "./routes/hierarchy/units.js";
import { homeRoutes } from "./routes/home.js";
import { numberCheckRoutes } from "./routes/numbers/number-check.js";
import { numberRoutes } from "./routes/numbers/numbers.js";
import { recentlyRemovedRoutes } from "./routes/numbers/recently-removed.js";
import { healthRoutes } from "./routes/ops/health.js";
import { overviewRoutes } from "./routes/overview/overview.js";
import { accountRoutes } from "./routes/people/account.js";
import { apiTokenRoutes } from "./routes/people/api-tokens.js";
import { authRoutes } from "./routes/people/sign-in.js";
import { twoFactorRoutes } from "./routes/people/two-factor.js";
import { twoFactorRuleRoutes } from "./routes/people/two-factor-rules.js";
import { userRoutes } from "./routes/people/users.js";
import { jobRoutes } from "./routes/runs/jobs.js";
import { manageRoutes } from "./routes/runs/manage.js";
import { moveRoutes } from "./routes/runs/move-here.js";
import { runListRoutes } from "./routes/runs/run-list.js";
import { undoRoutes } from "./routes/runs/undo.js";
import { UPLOAD_MAX_BYTES } from "./services/runs/upload-file.js";
import { inputShapesPlugin } from "./web/input-shapes.js";
import { authPlugin } from "./web/plugins/auth.js";
import { dbPlugin } from "./web/plugins/db.js";
import { errorsPlugin } from "./web/plugins/errors.js";
import { flashPlugin } from "./web/plugins/flash.js";
import { htmxPlugin } from "./web/plugins/htmx.js";
import { jsonPlugin } from "./web/plugins/json.js";
import { renderPlugin } from "./web/plugins/render.js";
import { requestIdPlugin } from "./web/plugins/request-id.js";
import { securityHeadersPlugin } from "./web/plugins/security-headers.js";
import { staticPlugin } from "./web/plugins/static.js";
import { rateLimitStore } from "./web/rate-limit-store.js";

/** Sized for an upload of 100,000 numbers (product.md §4). */
export const BODY_LIMIT = 8 * 1024 * 1024;

export interface AppOptions {
  config: Config;
  /** An already-open database (tests); otherwise opened from config.databaseUrl. */
  database?: Database;
  logger?: boolean;
  /** Where the JSON log lines go (tests read them); stdout when not given. */
  logStream?: LogStream;
  /** Where notices for the person starting the portal go (the first admin); stdout when not given. */
  announce?: (text: string) => void;
}

/** Builds the portal: plugins and routes in one visible order. */
export async function buildApp({
  config,
  database,
  logger = true,
  logStream,
  announce = (text) => process.stdout.write(text),
}: AppOptions): Promise<FastifyInstance> {
  setHomeRegion(config.defaultRegion);
  const db = database ?? createDb(config.databaseUrl);
  await migrateToLatest(db);

  const app = Fastify({
    logger: logger ? loggerOptions(config.logLevel, logStream) : false,
    genReqId: requestIdFor,
    bodyLimit: BODY_LIMIT,
    requestTimeout: 60_000,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
  });

  await app.register(requestIdPlugin);
  await app.register(dbPlugin, { database: db });
  await app.register(securityHeadersPlugin, { hsts: config.cookieSecure });
  await app.register(htmxPlugin);
  await app.register(jsonPlugin);
  await app.register(cookie);
  await app.register(flashPlugin);
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  // Upload files (Add and Delete). Fields, the file as a Buffer among them, land in
  // request.body at preValidation, so the CSRF check in preHandler reads _csrf as for any form.
  // One file of at most 8 MiB and a handful of short fields: anything more is refused (413).
  await app.register(multipart, {
    attachFieldsToBody: "keyValues",
    limits: { fileSize: UPLOAD_MAX_BYTES, files: 1, fields: 10, parts: 11, fieldSize: 64 * 1024 },
  });
  // Before any route: every route registered after it gets a query and body schema.
  await app.register(inputShapesPlugin);
  // Counted in the database (web/rate-limit-store.ts), so every instance shares the counts.
  await app.register(rateLimit, { global: false, store: rateLimitStore(app.rateCounter) });
  await app.register(authPlugin, {
    adminEmail: config.adminEmail ?? "admin@localhost",
    adminPassword: config.adminPassword,
    passwordHashing: config.passwordHashing,
    cookieSecure: config.cookieSecure,
    announce,
  });
  await app.register(renderPlugin, { supportUrl: config.supportUrl, cache: config.viewCache });
  await app.register(errorsPlugin);
  await app.register(staticPlugin);

  // Open to everyone: health checks and signing in.
  await app.register(healthRoutes);
  await app.register(authRoutes);

  // Everything else needs a signed-in user; each route then checks what that user may do.
  await app.register(async (portal) => {
    portal.addHook("onRequest", portal.requireUser);
    await portal.register(homeRoutes);
    await portal.register(accountRoutes);
    await portal.register(twoFactorRoutes);
    await portal.register(apiTokenRoutes);
    await portal.register(numberRoutes);
    await portal.register(overviewRoutes);
    await portal.register(numberCheckRoutes, { defaultRegion: config.defaultRegion });
    await portal.register(manageRoutes, { defaultRegion: config.defaultRegion });
    await portal.register(businessRoutes);
    await portal.register(twoFactorRuleRoutes);
    await portal.register(unitRoutes);
    await portal.register(programRoutes);
    await portal.register(callPurposeRoutes);
    await portal.register(userRoutes);
    await portal.register(jobRoutes);
    await portal.register(runListRoutes);
    await portal.register(recentlyRemovedRoutes);
    await portal.register(activityRoutes);
    await portal.register(undoRoutes);
    await portal.register(moveRoutes);
  });
  return app;
}
