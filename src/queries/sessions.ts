import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { NewSession, Session, User } from "../db/tables/users.js";

export interface SessionWithUser {
  session: Session;
  user: User;
}

export async function insertSession(db: Kysely<DB>, values: NewSession): Promise<void> {
  await db.insertInto("sessions").values(values).execute();
}

/** The session and its user in one query: this runs on every signed-in request. */
export async function findSessionWithUser(
  db: Kysely<DB>,
  id: string,
): Promise<SessionWithUser | undefined> {
  const row = await db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select([
      "s.id as s_id",
      "s.user_id as s_user_id",
      "s.created_at as s_created_at",
      "s.last_seen_at as s_last_seen_at",
      "s.expires_at as s_expires_at",
    ])
    .selectAll("u")
    .where("s.id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { s_id, s_user_id, s_created_at, s_last_seen_at, s_expires_at, ...user } = row;
  return {
    session: {
      id: s_id,
      user_id: s_user_id,
      created_at: s_created_at,
      last_seen_at: s_last_seen_at,
      expires_at: s_expires_at,
    },
    user,
  };
}

export async function touchSession(db: Kysely<DB>, id: string, at: string): Promise<void> {
  await db.updateTable("sessions").set({ last_seen_at: at }).where("id", "=", id).execute();
}

export async function deleteSession(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", id).execute();
}

/** Ends every session of a user, or every one but `exceptId`; returns how many ended. */
export async function deleteSessionsOfUser(
  db: Kysely<DB>,
  userId: number,
  exceptId: string | null = null,
): Promise<number> {
  let query = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (exceptId !== null) query = query.where("id", "<>", exceptId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredSessions(
  db: Kysely<DB>,
  now: string,
  idleBefore: string,
): Promise<void> {
  await db
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("last_seen_at", "<=", idleBefore)]))
    .execute();
}

export async function countSessionsOfUser(db: Kysely<DB>, userId: number): Promise<number> {
  const row = await db
    .selectFrom("sessions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
