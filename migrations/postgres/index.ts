import type { Migration } from "kysely";
import * as baseline from "./2026-12-02-01-baseline.js";
import * as rateLimits from "./2026-12-03-01-rate-limits.js";

/**
 * PostgreSQL's migrations: a baseline equal to SQLite's schema after 2026-12-02-01-two-factor,
 * then every later migration, under the same name as in ../index.ts (see docs/architecture.md).
 */
export const postgresMigrations: Record<string, Migration> = {
  "2026-12-02-01-baseline": baseline,
  "2026-12-03-01-rate-limits": rateLimits,
};
