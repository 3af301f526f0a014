/**
 * Two-factor sign-in with an authenticator app (TOTP, RFC 6238: 6 digits, 30-second steps,
 * SHA-1, as every app reads it). A code is accepted one step early or late (clock drift) and
 * never twice: the last accepted step is stored and must grow. Ten recovery codes stand in
 * for a lost phone, each once; only their SHA-256 is kept (50 random bits each, so a fast
 * hash is enough).
 */
import { createHash, randomBytes, randomInt } from "node:crypto";
import type { Kysely } from "kysely";
import { Secret, TOTP } from "otpauth";
import { renderSVG } from "uqr";
import type { DB } from "../../db/database.js";
import type { User } from "../../db/tables/users.js";
import { inWriteTransaction } from "../../db/transaction.js";
import { ValidationError } from "../../domain/errors.js";
import type { CurrentUser } from "../../domain/permissions.js";
import {
  claimStep,
  deleteChallenge,
  deleteTwoFactor,
  enableTwoFactor,
  findChallenge,
  findTwoFactor,
  insertChallenge,
  isTwoFactorRequired,
  replaceRecoveryCodes,
  savePendingSecret,
  useRecoveryCode,
} from "../../queries/two-factor.js";
import { findUser } from "../../queries/users.js";
import { auditPlaceOf, recordAudit } from "../audit/audit.js";
import { manageable, scopeOf, toCurrentUser } from "./users.js";

export const RECOVERY_CODE_COUNT = 10;
const PERIOD_S = 30;
/** Long enough to open the app and type a code; a challenge is one sign-in's second half. */
const CHALLENGE_MS = 5 * 60 * 1000;
const ISSUER = "Numberdesk";

const totpFor = (secret: string, email: string) =>
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
function matchingStep(secret: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secret, "-").validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : stepAt(now) + delta;
}

/** The code an app shows at `at` (tests and the CLI's self-check). */
export const codeAt = (secret: string, at: number): string =>
  totpFor(secret, "-").generate({ timestamp: at });

const normaliseRecovery = (raw: string) => raw.toLowerCase().replace(/[\s-]/g, "");
const hashRecovery = (raw: string) =>
  createHash("sha256").update(normaliseRecovery(raw)).digest("hex");

/** xxxxx-xxxxx from an alphabet without look-alikes (no 0/o, 1/l/i). */
function recoveryCode(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  let code = "";
  for (let i = 0; i < 10; i++) code += alphabet[randomInt(alphabet.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

export interface Enrolment {
  secret: string;
  /** otpauth:// URI, as the QR code carries it. */
  uri: string;
  /** The QR code as an inline SVG drawn here: no request leaves the portal. */
  qrSvg: string;
}

const businessOf = (user: CurrentUser): number | null =>
  user.scope.kind === "portal" ? null : user.scope.businessId;

const requiredFor = (db: Kysely<DB>, user: CurrentUser): Promise<boolean> =>
  isTwoFactorRequired(db, businessOf(user));

/** Whether this user has to enrol before doing anything else (a rule covers them, no app yet). */
export async function mustEnrol(db: Kysely<DB>, user: CurrentUser): Promise<boolean> {
  if (!(await requiredFor(db, user))) return false;
  return !(await findTwoFactor(db, user.id))?.secret;
}

/** The secret to enrol with: the one already shown, until it is confirmed, or a new one. */
export async function startEnrolment(db: Kysely<DB>, user: CurrentUser): Promise<Enrolment> {
  const row = await findTwoFactor(db, user.id);
  let secret = row?.pending_secret ?? null;
  if (!secret) {
    secret = new Secret({ size: 20 }).base32;
    await savePendingSecret(db, user.id, secret);
  }
  const uri = totpFor(secret, user.email).toString();
  return { secret, uri, qrSvg: renderSVG(uri, { border: 2 }) };
}

/** Confirms enrolment with a first code; returns the recovery codes, shown this once. */
export async function confirmEnrolment(
  db: Kysely<DB>,
  user: CurrentUser,
  code: string,
  now = Date.now(),
): Promise<string[]> {
  const row = await findTwoFactor(db, user.id);
  const secret = row?.pending_secret;
  const step = secret ? matchingStep(secret, code.trim(), now) : null;
  if (!secret || step === null) {
    throw new ValidationError({
      code: "That code is not right. Type the 6 digits your app shows now.",
    });
  }
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, recoveryCode);
  await inWriteTransaction(db, async (trx) => {
    const at = new Date(now).toISOString();
    await enableTwoFactor(trx, user.id, secret, step, at);
    await replaceRecoveryCodes(trx, user.id, codes.map(hashRecovery));
    await recordAudit(
      trx,
      user,
      {
        action: "user.two_factor_enrol",
        subjectType: "user",
        subjectId: user.id,
        place: auditPlaceOf(user.scope),
        summary: `Turned on two-factor sign-in (${RECOVERY_CODE_COUNT} recovery codes issued)`,
      },
      at,
    );
  });
  return codes;
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

/** The user a live challenge is for, or null (unknown, expired, user disabled). */
export async function challengeUser(
  db: Kysely<DB>,
  token: string,
  now = Date.now(),
): Promise<{ user: User; next: string } | null> {
  const challenge = await findChallenge(db, challengeIdOf(token));
  if (!challenge || Date.parse(challenge.expires_at) <= now) return null;
  const user = await findUser(db, challenge.user_id);
  if (!user || user.disabled_at !== null) return null;
  return { user, next: challenge.next };
}

export const endChallenge = (db: Kysely<DB>, token: string) =>
  deleteChallenge(db, challengeIdOf(token));

/**
 * Checks the second factor: an app code of the current step ±1 not used before, or an unused
 * recovery code. Audited either way.
 */
export async function verifySecondFactor(
  db: Kysely<DB>,
  user: User,
  raw: string,
  context: { ip: string },
  now = Date.now(),
): Promise<boolean> {
  const code = raw.trim();
  const row = await findTwoFactor(db, user.id);
  const at = new Date(now).toISOString();
  let how: "app" | "recovery" | null = null;
  if (row?.secret) {
    const step = matchingStep(row.secret, code, now);
    if (step !== null && (await claimStep(db, user.id, step))) how = "app";
    else if (step === null && code.length >= 10 && code.length <= 20) {
      if (await useRecoveryCode(db, user.id, hashRecovery(code), at)) how = "recovery";
    }
  }
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
        ? `Second factor (${how === "app" ? "authenticator app" : "recovery code"}) from ${context.ip}`
        : `Wrong or reused second-factor code from ${context.ip}`,
    },
    at,
  );
  return how !== null;
}

/** An admin (or the command line) turns a user's second factor off; they enrol again. */
export async function resetTwoFactor(
  db: Kysely<DB>,
  actor: CurrentUser,
  userId: number,
): Promise<User> {
  const target = await manageable(db, actor, userId);
  await inWriteTransaction(db, async (trx) => {
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
  });
  return target;
}
