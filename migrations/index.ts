import type { Migration } from "kysely";
import * as initial from "./2026-11-27-01-initial.js";
import * as signIn from "./2026-11-27-02-sign-in.js";
import * as jobs from "./2026-11-27-03-jobs.js";
import * as apiTokens from "./2026-11-27-04-api-tokens.js";
import * as packedSuccesses from "./2026-11-27-05-packed-successes.js";
import * as twoFactor from "./2026-12-02-01-two-factor.js";
import * as rateLimits from "./2026-12-03-01-rate-limits.js";
import { postgresMigrations } from "./postgres/index.js";

/**
 * Every migration, by name; names sort in the order they run. Listed statically so the same
 * set runs from TypeScript (tests) and compiled JavaScript (start) without reading a folder.
 * Once landed, a migration is frozen: change the schema with a new one.
 */
export const migrations: Record<string, Migration> = {
  "2026-11-27-01-initial": initial,
  "2026-11-27-02-sign-in": signIn,
  "2026-11-27-03-jobs": jobs,
  "2026-11-27-04-api-tokens": apiTokens,
  "2026-11-27-05-packed-successes": packedSuccesses,
  "2026-12-02-01-two-factor": twoFactor,
  "2026-12-03-01-rate-limits": rateLimits,
};

/**
 * The migrations of one database. PostgreSQL starts from a baseline equal to the SQLite schema
 * above; a migration added after it goes in both lists, under the same name.
 */
export function migrationsFor(kind: "sqlite" | "postgres"): Record<string, Migration> {
  return kind === "postgres" ? postgresMigrations : migrations;
}
