/**
 * Sign-in as the route sees it: the password step, then, for a user with a second factor, the
 * code step (two-factor.ts keeps the codes and the challenge between the two), and the session
 * that ends it (sessions.ts). The route holds the limits and the cookies; this module decides.
 */
import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { User } from "../../db/tables/users.js";
import type { CurrentUser } from "../../domain/permissions.js";
import { replaceControls } from "../../domain/text.js";
import { findUserByEmail } from "../../queries/users.js";
import { auditPlaceOf, recordAudit } from "../audit/audit.js";
import {
  hashPassword,
  PASSWORD_MAX_LENGTH,
  type ScryptParams,
  verifyPassword,
} from "./passwords.js";
import { endSession, startSession } from "./sessions.js";
import {
  challengeUser,
  endChallenge,
  hasSecondFactor,
  mustEnrol,
  startChallenge,
  verifySecondFactor,
} from "./two-factor.js";
import { toCurrentUser } from "./users.js";

/** One message for unknown user, wrong password and disabled account: nothing to enumerate. */
export const SIGN_IN_FAILED = "Email or password is incorrect.";

export class SignInError extends Error {
  constructor() {
    super(SIGN_IN_FAILED);
  }
}

let dummyHash: Promise<string> | null = null;

interface Authenticated {
  user: User;
  /** The user has a second factor: the sign-in is not done until a code is given. */
  secondFactor: boolean;
}

/**
 * Checks email and password. An unknown email still costs one hash, so response time does
 * not tell which emails have accounts. Success and failure are both audited; a password
 * that is right for a user with a second factor is not yet a sign-in, and says so.
 */
async function authenticate(
  db: Kysely<DB>,
  credentials: { email: string; password: string },
  hashing: ScryptParams,
  context: { ip: string },
): Promise<Authenticated> {
  const email = credentials.email.trim();
  const user = email === "" ? undefined : await findUserByEmail(db, email);
  const password = credentials.password.slice(0, PASSWORD_MAX_LENGTH + 1);
  let ok = false;
  if (user?.password_hash) {
    ok = await verifyPassword(password, user.password_hash);
  } else {
    dummyHash ??= hashPassword("not a real password", hashing);
    await verifyPassword(password, await dummyHash);
  }
  const now = new Date().toISOString();
  if (!user || !ok || user.disabled_at !== null) {
    await recordAudit(
      db,
      { id: user?.id ?? null, email: replaceControls(email.slice(0, 254)) },
      {
        action: "auth.sign_in_failed",
        subjectType: "user",
        subjectId: user?.id ?? null,
        place: { businessId: user?.business_id ?? null, unitId: user?.business_unit_id ?? null },
        summary: `Failed sign-in for ${replaceControls(email.slice(0, 254))} from ${context.ip}`,
      },
      now,
    );
    throw new SignInError();
  }
  const secondFactor = await hasSecondFactor(db, user.id);
  await recordAudit(
    db,
    toCurrentUser(user),
    {
      action: secondFactor ? "auth.password_ok" : "auth.sign_in",
      subjectType: "user",
      subjectId: user.id,
      place: { businessId: user.business_id, unitId: user.business_unit_id },
      summary: secondFactor
        ? `Password accepted from ${context.ip}; asked for the second factor`
        : `Signed in from ${context.ip}`,
    },
    now,
  );
  return { user, secondFactor };
}

/** Where a sign-in stands after a step. */
export type SignInStep =
  /** Signed in: the new session's cookie token, and where to go (a password change or the
   * two-factor enrolment first, when a rule asks for it). */
  | { signedIn: true; sessionToken: string; next: string }
  /** The password was right and a code is due: the challenge's cookie token. */
  | { signedIn: false; challengeToken: string };

interface StepContext {
  ip: string;
  /** The session this browser had, ended at sign-in (a brand-new id every time). */
  previousSession: string | null;
}

/** The sign-in is complete: a brand-new session, then where the user was going. */
async function finish(
  db: Kysely<DB>,
  user: User,
  next: string,
  previousSession: string | null,
): Promise<SignInStep> {
  // A brand-new session id at every sign-in; any session this browser had is ended.
  if (previousSession) await endSession(db, previousSession);
  const session = await startSession(db, user.id);
  let to = next;
  if (user.must_change_password === 1) to = "/account/password";
  else if (await mustEnrol(db, toCurrentUser(user))) {
    to =
      next === "/" ? "/account/two-factor" : `/account/two-factor?next=${encodeURIComponent(next)}`;
  }
  return { signedIn: true, sessionToken: session.token, next: to };
}

/**
 * The password step (`next` already made safe). Without a second factor the user is signed
 * in; with one, no session until the code is right too: the challenge carries `next`, so the
 * code step cannot be pointed elsewhere. Throws SignInError.
 */
export async function signIn(
  db: Kysely<DB>,
  credentials: { email: string; password: string },
  hashing: ScryptParams,
  context: StepContext & { next: string },
): Promise<SignInStep> {
  const { user, secondFactor } = await authenticate(db, credentials, hashing, context);
  if (!secondFactor) return finish(db, user, context.next, context.previousSession);
  return { signedIn: false, challengeToken: await startChallenge(db, user.id, context.next) };
}

/** The sign-in waiting for a code under a challenge token: its user, or null (none, expired). */
export const waitingSignIn = challengeUser;

/** The code step: signed in, or null when the code is wrong (audited either way). */
export async function signInWithCode(
  db: Kysely<DB>,
  challengeToken: string,
  waiting: { user: User; next: string },
  code: string,
  context: StepContext,
): Promise<SignInStep | null> {
  if (!(await verifySecondFactor(db, waiting.user, code, { ip: context.ip }))) return null;
  await endChallenge(db, challengeToken);
  return finish(db, waiting.user, waiting.next, context.previousSession);
}

/** Sign-out: the session ends, and the event is recorded. */
export async function signOut(db: Kysely<DB>, viewer: CurrentUser, sessionId: string) {
  await endSession(db, sessionId);
  await recordAudit(
    db,
    viewer,
    {
      action: "auth.sign_out",
      subjectType: "user",
      subjectId: viewer.id,
      place: auditPlaceOf(viewer.scope),
      summary: "Signed out",
    },
    new Date().toISOString(),
  );
}
