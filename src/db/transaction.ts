import type { Kysely } from "kysely";

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
