/**
 * Every SQLite-only detail lives here, so that a PostgreSQL dialect can follow by
 * replacing this one module: opening the file with the pragmas that keep data safe,
 * STRICT tables, write transactions and reading constraint errors.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { type Kysely, type RawBuilder, sql } from "kysely";
import { SqliteDatabase } from "./native.js";
import { ReadWriteSqliteDialect } from "./sqlite-driver.js";

export type SqliteHandle = BetterSqlite3.Database;

/** Opens the database file (creating its folder) with the settings hardening.md asks for. */
export function openSqlite(url: string): SqliteHandle {
  const file = url.startsWith("file:") ? url.slice("file:".length) : url;
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const handle = new SqliteDatabase(file, { timeout: 5000 });
  handle.pragma("journal_mode = WAL");
  // better-sqlite3 leaves WAL at NORMAL, where a committed transaction can be lost on power loss.
  handle.pragma("synchronous = FULL");
  handle.pragma("foreign_keys = ON");
  handle.pragma("busy_timeout = 5000");
  // Give the query planner statistics (cheaply, sampled): without them it may walk 100,000
  // index entries where a handful of row lookups would do. SQLite's advice for long-lived
  // connections; bulk writes run `PRAGMA optimize` again afterwards.
  handle.pragma("analysis_limit = 1000");
  handle.pragma("optimize = 0x10002");
  return handle;
}

/**
 * Kysely prepares every query afresh, and preparing costs about as much as running a small
 * query. Kysely uses one connection, one query at a time, so statements can be reused:
 * keep the most recent ones by SQL text (bounded, as id lists make many distinct texts).
 */
function withStatementCache(handle: SqliteHandle, limit = 500): SqliteHandle {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return new Proxy(handle, {
    get(target, property, receiver) {
      if (property !== "prepare") return Reflect.get(target, property, receiver);
      return (source: string) => {
        let statement = statements.get(source);
        if (statement === undefined) {
          statement = target.prepare(source);
          if (statements.size >= limit) statements.clear();
          statements.set(source, statement);
        }
        return statement;
      };
    },
  });
}

/** Page cache of a connection that runs bulk writes: 64 MiB (SQLite's default is 2 MiB). */
const BULK_CACHE_KIB = 64 * 1024;

/**
 * A connection for bulk runs (an upload worker's own). A run of 100,000 numbers changes pages
 * all over five indexes; with the default 2 MiB cache, dirty pages spill to the WAL mid-run
 * and are written again later, which made such runs about 1.5× slower. It does not copy the
 * WAL back into the database as part of a commit (SQLite's automatic checkpoint): the run is
 * durable once its commit is, and `tidyAfterRun` does that copy after the answer.
 */
export function openBulkWriter(url: string): SqliteHandle {
  const handle = openSqlite(url);
  handle.pragma(`cache_size = -${BULK_CACHE_KIB}`);
  handle.pragma("wal_autocheckpoint = 0");
  return handle;
}

/**
 * After a bulk run: copies committed WAL pages into the database without waiting for anyone
 * (PASSIVE), and gives back the page cache's memory until the next run.
 */
export function tidyAfterRun(handle: SqliteHandle): void {
  handle.pragma("wal_checkpoint(PASSIVE)");
  handle.pragma("shrink_memory");
}

/**
 * The reader beside the writer: the same file, refusing writes (the portal reads through it
 * only; see sqlite-driver.ts for why there are two connections).
 */
export function openSqliteReader(writer: SqliteHandle): SqliteHandle {
  const reader = new SqliteDatabase(writer.name, { timeout: 5000 });
  reader.pragma("query_only = ON");
  reader.pragma("busy_timeout = 5000");
  return reader;
}

/** Kysely's dialect over a writer and a reader connection, each reusing its statements. */
export function sqliteDialect(writer: SqliteHandle, reader: SqliteHandle): ReadWriteSqliteDialect {
  return new ReadWriteSqliteDialect(withStatementCache(writer), withStatementCache(reader));
}

/** Table suffix for migrations: SQLite STRICT tables check column types. */
export const strictTable: RawBuilder<unknown> = sql`strict`;

/**
 * Runs `work` inside BEGIN IMMEDIATE … COMMIT on the writer connection. IMMEDIATE takes the
 * write lock up front, so a second process waits on busy_timeout instead of failing with
 * SQLITE_BUSY when its read lock would have to be upgraded. The driver (sqlite-driver.ts)
 * keeps the writer for this transaction until it ends: other requests' writes wait their
 * turn, their reads go on against the last committed state.
 */
export async function inWriteTransaction<DB, T>(
  db: Kysely<DB>,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}

/**
 * A value that changes whenever the database may have changed: rows written by this
 * connection (total_changes, which counts raw and Kysely writes alike) and commits by other
 * processes (data_version), e.g. `npm run seed` while the portal runs. Read caches key on it.
 */
export function dataVersionReader(writer: SqliteHandle, reader: SqliteHandle): () => string {
  const own = writer.prepare("select total_changes()").pluck();
  // The reader's data_version moves when any other connection commits, the writer included.
  const others = reader.prepare("pragma data_version").pluck();
  // Other processes' commits are checked once per turn of the event loop (a page asks the
  // cache several times); this connection's own writes are seen at once.
  let othersSeen: number | null = null;
  return () => {
    if (othersSeen === null) {
      othersSeen = others.get() as number;
      setImmediate(() => {
        othersSeen = null;
      });
    }
    return `${othersSeen}:${own.get() as number}`;
  };
}
