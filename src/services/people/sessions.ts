/**
 * Server-side sessions: the cookie holds a random token, the database only its SHA-256, so a
 * copy of the database opens no session. Sessions end after 30 idle minutes or 12 hours.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { User } from "../../db/tables/users.js";
import {
  deleteExpiredSessions,
  deleteSession,
  findSessionWithUser,
  insertSession,
  touchSession,
} from "../../queries/sessions.js";
import type { ReadCache } from "../read-cache.js";

const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so reading pages does not mean writing. */
const TOUCH_EVERY_MS = 60 * 1000;

const sessionIdOf = (token: string): string => createHash("sha256").update(token).digest("hex");

export interface StartedSession {
  token: string;
  id: string;
  expiresAt: Date;
}

/** A brand-new session (a new id at every sign-in, so a planted id is worthless). */
export async function startSession(
  db: Kysely<DB>,
  userId: number,
  now = new Date(),
): Promise<StartedSession> {
  const token = randomBytes(32).toString("base64url");
  const id = sessionIdOf(token);
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  await insertSession(db, {
    id,
    user_id: userId,
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    expires_at: expiresAt.toISOString(),
  });
  // Housekeeping rides on sign-ins: rare enough to be cheap, frequent enough to stay small.
  await deleteExpiredSessions(
    db,
    now.toISOString(),
    new Date(now.getTime() - SESSION_IDLE_MS).toISOString(),
  );
  return { token, id, expiresAt };
}

export interface ResumedSession {
  id: string;
  user: User;
}

/**
 * The live session for a cookie token, or null when unknown, expired, idle or disabled.
 * With a read cache, the lookup every signed-in request makes is kept until the data version
 * moves: a sign-out, a disabled user, a password change or the once-a-minute touch below are
 * writes, so none of them is missed; expiry is still judged here, against the clock.
 */
export async function resumeSession(
  db: Kysely<DB>,
  token: string,
  now = new Date(),
  cache?: ReadCache,
): Promise<ResumedSession | null> {
  const id = sessionIdOf(token);
  const lookup = () => findSessionWithUser(db, id);
  const found = await (cache ? cache.get(`session:${id}`, lookup) : lookup());
  if (!found) return null;
  const { session, user } = found;
  const idleSince = now.getTime() - Date.parse(session.last_seen_at);
  const expired = now.getTime() >= Date.parse(session.expires_at) || idleSince >= SESSION_IDLE_MS;
  if (expired || user.disabled_at !== null) {
    await deleteSession(db, id);
    return null;
  }
  if (idleSince >= TOUCH_EVERY_MS) await touchSession(db, id, now.toISOString());
  return { id, user };
}

export async function endSession(db: Kysely<DB>, id: string): Promise<void> {
  await deleteSession(db, id);
}
