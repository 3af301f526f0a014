import { Kysely } from "kysely";
import { parseDatabaseUrl } from "./database-url.js";
import {
  openPostgresPool,
  type PostgresPool,
  dataVersionReader as postgresDataVersion,
  postgresDialect,
} from "./postgres/postgres.js";
import {
  dataVersionReader,
  openSqlite,
  openSqliteReader,
  type SqliteHandle,
  sqliteDialect,
} from "./sqlite/sqlite.js";
import type { WriterLock } from "./sqlite/sqlite-driver.js";
import type { ApiTokenTable } from "./tables/api-tokens.js";
import type { AuditEventTable } from "./tables/audit.js";
import type {
  BusinessTable,
  BusinessUnitTable,
  CallPurposeTable,
  ProgramTable,
} from "./tables/hierarchy.js";
import type { JobOutcomeTable, JobSuccessTable, JobTable } from "./tables/jobs.js";
import type { PhoneNumberTable } from "./tables/numbers.js";
import type { RateLimitTable } from "./tables/rate-limits.js";
import type {
  RecoveryCodeTable,
  SignInChallengeTable,
  TwoFactorRuleTable,
  TwoFactorTable,
} from "./tables/two-factor.js";
import type { ServerSecretTable, SessionTable, UserTable } from "./tables/users.js";

export interface DB {
  businesses: BusinessTable;
  business_units: BusinessUnitTable;
  programs: ProgramTable;
  call_purposes: CallPurposeTable;
  phone_numbers: PhoneNumberTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  server_secrets: ServerSecretTable;
  audit_events: AuditEventTable;
  jobs: JobTable;
  job_outcomes: JobOutcomeTable;
  job_successes: JobSuccessTable;
  two_factor: TwoFactorTable;
  recovery_codes: RecoveryCodeTable;
  sign_in_challenges: SignInChallengeTable;
  two_factor_rules: TwoFactorRuleTable;
  rate_limits: RateLimitTable;
}

interface Common {
  db: Kysely<DB>;
  /**
   * Changes whenever any connection, process or instance commits a change that cached
   * answers depend on: read caches are keyed on it. Synchronous on SQLite (pragmas on local
   * connections), a query on PostgreSQL (a counter in the database, see db/postgres/).
   */
  dataVersion(): string | Promise<string>;
  close(): Promise<void>;
}

/** The embedded database: one file, a writer and a reader connection (db/sqlite/). */
export interface SqliteDb extends Common {
  kind: "sqlite";
  /** The raw writer handle, for the few jobs Kysely does not do (bulk loads, backup). */
  handle: SqliteHandle;
  /** The connection SELECTs outside a transaction go to (see db/sqlite-driver.ts). */
  reader: SqliteHandle;
  /** Held by whoever writes: Kysely's writes and transactions, and bulk runs on `handle`. */
  writerLock: WriterLock;
}

/** A PostgreSQL server shared by one or several portal instances (db/postgres/). */
export interface PostgresDb extends Common {
  kind: "postgres";
  /** Where it is: upload workers open their own connections to it. */
  url: string;
  pool: PostgresPool;
}

/**
 * The open database. What only one database has (SQLite's handles and writer lock, the
 * PostgreSQL pool) is reachable only after checking `kind`, so shared code cannot lean on
 * it by accident.
 */
export type Database = SqliteDb | PostgresDb;

/** Opens what DATABASE_URL names (see db/database-url.ts). */
export function createDb(url: string): Database {
  const target = parseDatabaseUrl(url);
  return target.kind === "sqlite" ? createSqliteDb(target.file) : createPostgresDb(target.url);
}

/** The SQLite file at `file` (a path, `file:PATH` or `:memory:`). */
export function createSqliteDb(file: string): SqliteDb {
  const handle = openSqlite(file);
  const reader = openSqliteReader(handle);
  const dialect = sqliteDialect(handle, reader);
  const db = new Kysely<DB>({ dialect });
  return {
    kind: "sqlite",
    db,
    handle,
    reader,
    writerLock: dialect.lock,
    dataVersion: dataVersionReader(handle, reader),
    close: () => db.destroy(),
  };
}

/** A pool of connections to the PostgreSQL database at `url` (postgres://…). */
function createPostgresDb(url: string): PostgresDb {
  const pool = openPostgresPool(url);
  const db = new Kysely<DB>({ dialect: postgresDialect(pool) });
  return {
    kind: "postgres",
    url,
    db,
    pool,
    dataVersion: postgresDataVersion(pool),
    // Kysely's driver ends the pool.
    close: () => db.destroy(),
  };
}
