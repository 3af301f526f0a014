/**
 * Every PostgreSQL-only detail of the connection lives here (as db/sqlite/ does for SQLite):
 * the pool, how values come back, the data version caches key on, and the migration lock.
 */
import { type Kysely, PostgresDialect, type QueryExecutorProvider, sql } from "kysely";
import pg from "pg";

export type PostgresPool = pg.Pool;

/** Connections per portal instance; several instances share the server's max_connections. */
const DEFAULT_POOL_SIZE = 10;

/**
 * int8 (count(*), sum(), bigint ids) and numeric arrive from `pg` as strings, to keep
 * precision past 2^53. Every such value here is a count or an id far below that, and the
 * code expects numbers as SQLite gives them, so they are read as numbers.
 */
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads take one format literal at a time
    return pg.types.getTypeParser(oid, format as any);
  },
};

export function openPostgresPool(url: string, max = DEFAULT_POOL_SIZE): PostgresPool {
  const pool = new pg.Pool({ connectionString: url, max, types });
  // An idle connection the server drops (a restart, pg_terminate_backend) must not crash the
  // process: the pool discards it and the next query opens a fresh one.
  pool.on("error", () => {});
  // The same for a connection in use when it drops (between two statements of a run, say):
  // its next statement fails instead, and the transaction's owner hears of it there.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

export function postgresDialect(pool: PostgresPool): PostgresDialect {
  return new PostgresDialect({ pool });
}

/**
 * The data version caches key on: a one-row counter that statement triggers bump whenever
 * the tables cached answers come from change (see the baseline migration). It is read from
 * the database, so a change made through another instance is seen on this one's next page;
 * it moves at commit, with the data (a sequence would move before commit, letting another
 * instance cache the old data under the new version); and pg_stat counters lag and count
 * every table. Reads already waiting are shared, so one page asks once.
 */
export function dataVersionReader(pool: PostgresPool): () => Promise<string> {
  let pending: Promise<string> | null = null;
  return () => {
    if (pending === null) {
      pending = pool
        .query<{ version: number }>("select version from data_version")
        .then((result) => String(result.rows[0]?.version ?? 0))
        .finally(() => {
          pending = null;
        });
    }
    return pending;
  };
}

/** Any number that no other application on the database uses as an advisory lock key. */
const MIGRATION_LOCK_KEY = 0x4e_44_4d_47; // "NDMG"
/** The lock every change to phone numbers takes first, on every instance. */
const NUMBER_WRITES_LOCK_KEY = 0x4e_44_4e_57; // "NDNW"

/**
 * Takes the numbers' write lock until the transaction ends (pg_advisory_xact_lock, let go at
 * commit or rollback, even when the connection drops). Every transaction that changes
 * phone_numbers takes it before anything else: bulk runs (services/runs/postgres-run.ts),
 * edits, removals, restores, Undo and Move here (db/transaction.ts's inNumbersTransaction).
 * So changes to numbers run one after another across all instances, as they do on SQLite
 * behind its one write lock.
 *
 * Why a lock rather than row locks alone or SERIALIZABLE: those transactions already queue
 * one behind another on the data_version row (its statement triggers update that one row,
 * held until commit), but in whatever order their statements reach it. A run that has
 * bumped the version (its job row) and waits for a number's row, while an edit holds that
 * row and waits for the version, is a deadlock: PostgreSQL kills one after a second. Taken
 * first, the lock makes the order explicit, so there is no cycle, no deadlock and nothing to
 * retry, and it costs no concurrency those writes had. SERIALIZABLE would instead fail one
 * of two racing transactions, to be retried whole (a 100,000-number run included), and would
 * make every read on the way take predicate locks. Reads never take this lock: pages go on
 * while a run holds it.
 */
export async function lockNumberWrites(trx: QueryExecutorProvider): Promise<void> {
  await sql`select pg_advisory_xact_lock(${NUMBER_WRITES_LOCK_KEY})`.execute(trx);
}

/**
 * Runs `work` holding a session-level advisory lock on one connection, so that two instances
 * starting at once migrate one after the other: the second finds nothing left to do. Kysely's
 * migrator takes its own lock only after creating its bookkeeping tables, and two concurrent
 * `create table if not exists` can fail on PostgreSQL; this lock is taken before any of that.
 */
export async function withMigrationLock<DB, T>(
  db: Kysely<DB>,
  work: (connection: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
    try {
      return await work(connection);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
    }
  });
}
