/**
 * Two-factor sign-in with an authenticator app (TOTP, RFC 6238: 6 digits, 30-second steps,
 * SHA-1, as every app reads it). A code is accepted one step early or late (clock drift) and
 * never twice: the last accepted step is stored and must grow. Ten recovery codes stand in
 * for a lost phone, each once; only their SHA-256 is kept (50 random bits each, so a fast
 * hash is enough).
 *
 * This file holds the codes themselves and the sign-in's second half; enrolment and the
 * account's own switch are in two-factor-enrolment.ts, the rules in two-factor-rules.ts.
 */
import { createHash, randomBytes, randomInt } from "node:crypto";
import type { Kysely } from "kysely";
import { Secret, TOTP } from "otpauth";
import type { DB } from "../../db/database.js";
import type { User } from "../../db/tables/users.js";
import { inWriteTransaction } from "../../db/transaction.js";
import type { CurrentUser } from "../../domain/permissions.js";
import {
  claimStep,
  deleteChallenge,
  deleteTwoFactor,
  findChallenge,
  findTwoFactor,
  insertChallenge,
  isTwoFactorRequired,
  useRecoveryCode,
} from "../../queries/two-factor.js";
import { findUser } from "../../queries/users.js";
import { auditPlaceOf, recordAudit } from "../audit/audit.js";
import type { ReadCache } from "../read-cache.js";
import { manageable, scopeOf, toCurrentUser } from "./users.js";

export const RECOVERY_CODE_COUNT = 10;
const PERIOD_S = 30;
/** Long enough to open the app and type a code; a challenge is one sign-in's second half. */
const CHALLENGE_MS = 5 * 60 * 1000;
const ISSUER = "Numberdesk";

export const totpFor = (secret: string, email: string) =>
  new TOTP({
    issuer: ISSUER,
    label: email,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD_S,
    secret: Secret.fromBase32(secret),
  });

/** A challenge cookie's token is stored as its SHA-256 only, as a session's is. */
const challengeIdOf = (token: string) => createHash("sha256").update(token).digest("hex");

const stepAt = (ms: number) => Math.floor(ms / 1000 / PERIOD_S);

/** The step a code belongs to, if it is right within ±1 step of `now`; else null. */
export function matchingStep(secret: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secret, "-").validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : stepAt(now) + delta;
}

/** The code an app shows at `at` (tests and the CLI's self-check). */
export const codeAt = (secret: string, at: number): string =>
  totpFor(secret, "-").generate({ timestamp: at });

const normaliseRecovery = (raw: string) => raw.toLowerCase().replace(/[\s-]/g, "");
export const hashRecovery = (raw: string) =>
  createHash("sha256").update(normaliseRecovery(raw)).digest("hex");

/** xxxxx-xxxxx from an alphabet without look-alikes (no 0/o, 1/l/i). */
export function recoveryCode(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  let code = "";
  for (let i = 0; i < 10; i++) code += alphabet[randomInt(alphabet.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

const businessOf = (user: CurrentUser): number | null =>
  user.scope.kind === "portal" ? null : user.scope.businessId;

/** Whether a rule (the whole portal's, or the user's business's) requires a second factor. */
export const requiredFor = (db: Kysely<DB>, user: CurrentUser): Promise<boolean> =>
  isTwoFactorRequired(db, businessOf(user));

/** Whether this user has a confirmed second factor, so sign-in asks for a code. */
export async function hasSecondFactor(db: Kysely<DB>, userId: number): Promise<boolean> {
  return Boolean((await findTwoFactor(db, userId))?.secret);
}

/**
 * Whether this user has to enrol before doing anything else (a rule covers them, no app yet).
 * Asked on every signed-in request: with a read cache, kept until the data version moves
 * (a rule or an enrolment is a write).
 */
export async function mustEnrol(
  db: Kysely<DB>,
  user: CurrentUser,
  cache?: ReadCache,
): Promise<boolean> {
  const decide = async () =>
    (await requiredFor(db, user)) ? !(await hasSecondFactor(db, user.id)) : false;
  return cache ? cache.get(`must-enrol:${user.id}:${businessOf(user)}`, decide) : decide();
}

/**
 * Uses up a code: an app code of the current step ±1 not used before (its step is claimed,
 * so the same code never works twice), or an unused recovery code (marked used). Null when
 * neither; nothing is written then.
 */
export async function useCode(
  db: Kysely<DB>,
  userId: number,
  raw: string,
  now: number,
): Promise<"app" | "recovery" | null> {
  const code = raw.trim();
  const row = await findTwoFactor(db, userId);
  if (!row?.secret) return null;
  const step = matchingStep(row.secret, code, now);
  if (step !== null) return (await claimStep(db, userId, step)) ? "app" : null;
  if (code.length < 10 || code.length > 20) return null;
  const used = await useRecoveryCode(db, userId, hashRecovery(code), new Date(now).toISOString());
  return used ? "recovery" : null;
}

/** A sign-in whose password was right, waiting for its code: the cookie's token. */
export async function startChallenge(
  db: Kysely<DB>,
  userId: number,
  next: string,
  now = Date.now(),
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await insertChallenge(db, {
    id: challengeIdOf(token),
    user_id: userId,
    next,
    expires_at: new Date(now + CHALLENGE_MS).toISOString(),
  });
  return token;
}

/** How long the code step waits, for the cookie that carries its token. */
export const CHALLENGE_SECONDS = CHALLENGE_MS / 1000;

/** The user a live challenge is for, or null (unknown, expired, user disabled). */
export async function challengeUser(
  db: Kysely<DB>,
  token: string,
  now = Date.now(),
): Promise<{ user: User; next: string; expiresAt: string } | null> {
  const challenge = await findChallenge(db, challengeIdOf(token));
  if (!challenge || Date.parse(challenge.expires_at) <= now) return null;
  const user = await findUser(db, challenge.user_id);
  if (!user || user.disabled_at !== null) return null;
  return { user, next: challenge.next, expiresAt: challenge.expires_at };
}

export const endChallenge = (db: Kysely<DB>, token: string) =>
  deleteChallenge(db, challengeIdOf(token));

/**
 * Checks the second factor at sign-in: an app code of the current step ±1 not used before, or
 * an unused recovery code. Audited either way.
 */
export async function verifySecondFactor(
  db: Kysely<DB>,
  user: User,
  raw: string,
  context: { ip: string },
  now = Date.now(),
): Promise<boolean> {
  const how = await useCode(db, user.id, raw, now);
  const actor = toCurrentUser(user);
  await recordAudit(
    db,
    actor,
    {
      action: how ? "auth.second_factor" : "auth.second_factor_failed",
      subjectType: "user",
      subjectId: user.id,
      place: auditPlaceOf(actor.scope),
      summary: how
        ? `Signed in with a second factor (${how === "app" ? "authenticator app" : "recovery code"}) from ${context.ip}`
        : `Wrong or reused second-factor code from ${context.ip}`,
    },
    new Date(now).toISOString(),
  );
  return how !== null;
}

/** An admin (or the command line) turns a user's second factor off; they enrol again. */
export async function resetTwoFactor(
  db: Kysely<DB>,
  actor: CurrentUser,
  userId: number,
): Promise<{ user: User; hadOne: boolean }> {
  const target = await manageable(db, actor, userId);
  const removed = await inWriteTransaction(db, async (trx) => {
    const removed = await deleteTwoFactor(trx, userId);
    await recordAudit(
      trx,
      actor,
      {
        action: "user.two_factor_reset",
        subjectType: "user",
        subjectId: userId,
        place: auditPlaceOf(scopeOf(target)),
        summary: removed
          ? `Reset two-factor sign-in of ${target.email}`
          : `Reset two-factor sign-in of ${target.email} (none was set up)`,
      },
      new Date().toISOString(),
    );
    return removed;
  });
  return { user: target, hadOne: removed > 0 };
}
