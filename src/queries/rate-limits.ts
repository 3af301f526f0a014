import { type Kysely, sql } from "kysely";
import type { DB } from "../db/database.js";

/**
 * Counts one hit on `key` in one statement, and returns the window it fell in: a new window
 * of `windowMs` if the key has none or its window ended by `now`, else one more hit in the
 * current one. One upsert, so two instances counting the same key at once both count (the
 * second waits on the first's row lock, or on SQLite's write lock, and then sees its hit):
 * no read-then-write race. The same SQL on both databases.
 */
export async function countHit(
  db: Kysely<DB>,
  key: string,
  windowMs: number,
  now: number,
): Promise<{ hits: number; resets_at: number }> {
  const ended = sql<boolean>`rate_limits.resets_at <= ${now}`;
  return db
    .insertInto("rate_limits")
    .values({ key, hits: 1, resets_at: now + windowMs })
    .onConflict((conflict) =>
      conflict.column("key").doUpdateSet({
        hits: sql`case when ${ended} then 1 else rate_limits.hits + 1 end`,
        resets_at: sql`case when ${ended} then excluded.resets_at else rate_limits.resets_at end`,
      }),
    )
    .returning(["hits", "resets_at"])
    .executeTakeFirstOrThrow();
}

/** Forgets every window that ended by `now` (a range on the resets_at index). */
export async function deleteEndedWindows(db: Kysely<DB>, now: number): Promise<void> {
  await db.deleteFrom("rate_limits").where("resets_at", "<=", now).execute();
}
