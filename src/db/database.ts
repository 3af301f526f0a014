import { Kysely } from "kysely";
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
}

export interface Database {
  db: Kysely<DB>;
  /** The raw writer handle, for the few jobs Kysely does not do (bulk loads, backup). */
  handle: SqliteHandle;
  /** The connection SELECTs outside a transaction go to (see db/sqlite-driver.ts). */
  reader: SqliteHandle;
  /** Held by whoever writes: Kysely's writes and transactions, and bulk runs on `handle`. */
  writerLock: WriterLock;
  /** Changes whenever any connection or process commits: caches are keyed on it. */
  dataVersion(): string;
  close(): Promise<void>;
}

export function createDb(url: string): Database {
  const handle = openSqlite(url);
  const reader = openSqliteReader(handle);
  const dialect = sqliteDialect(handle, reader);
  const db = new Kysely<DB>({ dialect });
  return {
    db,
    handle,
    reader,
    writerLock: dialect.lock,
    dataVersion: dataVersionReader(handle, reader),
    close: () => db.destroy(),
  };
}
