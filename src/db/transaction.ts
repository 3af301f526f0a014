import { type Kysely, PostgresAdapter } from "kysely";
import { lockNumberWrites } from "./postgres/postgres.js";

/**
 * Runs `work` in one write transaction, on either database. On SQLite the driver opens it
 * with BEGIN IMMEDIATE (db/sqlite/sqlite-driver.ts): the write lock is taken up front, so a
 * second process waits on busy_timeout instead of failing with SQLITE_BUSY, and other
 * requests' writes wait their turn while their reads go on. On PostgreSQL it is a plain
 * READ COMMITTED transaction; rows are locked as they are written.
 */
export function inWriteTransaction<DB, T>(
  db: Kysely<DB>,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(work);
}

/**
 * A write transaction that changes phone numbers (an edit, a removal, a restore, Undo, Move
 * here). On PostgreSQL it first takes the numbers' write lock (db/postgres/postgres.ts's
 * lockNumberWrites, where the reasons are), so that two instances' changes to the same
 * numbers, bulk runs included, run one after the other and each decides on what the other
 * committed. On SQLite BEGIN IMMEDIATE already holds the file's one write lock.
 */
export function inNumbersTransaction<DB, T>(
  db: Kysely<DB>,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    if (trx.getExecutor().adapter instanceof PostgresAdapter) await lockNumberWrites(trx);
    return work(trx);
  });
}
