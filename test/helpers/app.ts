import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import { createDb, type Database } from "../../src/db/database.js";
import { Agent } from "./agent.js";
import { freshPostgresDatabase, onPostgres } from "./postgres.js";

export const ADMIN_EMAIL = "admin@example.test";
export const ADMIN_PASSWORD = "correct horse battery staple";
/** Cheap hashing for tests; production uses N=2^17 (see services/passwords.ts). */
export const TEST_HASHING = { N: 2 ** 10, r: 8, p: 1 };

export interface TestApp {
  app: FastifyInstance;
  /** Signed in as the first portal admin. */
  admin: Agent;
  database: Database;
  /** Where the database is: a file in `dir`, or a PostgreSQL database of its own. */
  databaseUrl: string;
  dir: string;
  close(): Promise<void>;
}

/**
 * Builds the portal on a fresh database: a file in its own temporary folder, or in the
 * PostgreSQL lane (NUMBERDESK_TEST_DB=postgres) a database of its own copied from the
 * migrated template, dropped on close. `beforeReady` may add test-only routes (e.g. one that
 * throws) before the app is sealed.
 */
export async function buildTestApp(
  overrides: Partial<Config> = {},
  beforeReady?: (app: FastifyInstance) => void,
  {
    signIn = true,
    announce = () => {},
  }: { signIn?: boolean; announce?: (text: string) => void } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-test-"));
  const postgres = onPostgres && !overrides.databaseUrl ? await freshPostgresDatabase() : null;
  const config: Config = {
    ...loadConfig({}),
    databaseUrl: postgres?.url ?? join(dir, "test.db"),
    logLevel: "silent",
    adminEmail: ADMIN_EMAIL,
    adminPassword: ADMIN_PASSWORD,
    passwordHashing: TEST_HASHING,
    ...overrides,
  };
  const database = createDb(config.databaseUrl);
  const app = await buildApp({ config, database, logger: false, announce });
  beforeReady?.(app);
  await app.ready();
  const admin = new Agent(app);
  if (signIn) await admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  return {
    app,
    admin,
    database,
    databaseUrl: config.databaseUrl,
    dir,
    close: async () => {
      await app.close();
      await postgres?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Holds back every other write, as a long change would: SQLite's writer lock, or on
 * PostgreSQL a lock on phone_numbers that lets plain reads through but no write and no
 * run's FOR UPDATE. Resolves with the function that lets go.
 */
export async function holdWrites(database: Database): Promise<() => Promise<void>> {
  if (database.kind === "sqlite") {
    await database.writerLock.acquire();
    return async () => database.writerLock.release();
  }
  const client = await database.pool.connect();
  await client.query("begin");
  await client.query("lock table phone_numbers in exclusive mode");
  return async () => {
    await client.query("commit");
    client.release();
  };
}

/** Headers of an htmx request (a fragment swap, not a boosted navigation). */
export const HX = { "hx-request": "true" } as const;

/** A urlencoded form body from pairs; repeated keys are kept (to test tampering). */
export function form(
  fields: Record<string, string> | Array<[string, string]>,
  headers: Record<string, string> = {},
): {
  payload: string;
  headers: Record<string, string>;
} {
  const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
  return {
    payload: new URLSearchParams(pairs).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  };
}
