/**
 * A user's own second factor, under Account: enrolling an authenticator app (a secret shown
 * as a QR code drawn here and as text, confirmed by a first code, then ten recovery codes
 * shown once), what the account page says about it, and turning it off.
 *
 * Only from a signed-in session: a leaked API token must not be able to put its holder's
 * app on the account, or take the owner's off (as it cannot make tokens either).
 */
import type { Kysely } from "kysely";
import { Secret } from "otpauth";
import { renderSVG } from "uqr";
import type { DB } from "../../db/database.js";
import { inWriteTransaction } from "../../db/transaction.js";
import { ForbiddenError, ValidationError } from "../../domain/errors.js";
import type { CurrentUser } from "../../domain/permissions.js";
import {
  countUnusedRecoveryCodes,
  deleteTwoFactor,
  enableTwoFactor,
  findTwoFactor,
  replaceRecoveryCodes,
  savePendingSecret,
} from "../../queries/two-factor.js";
import { auditPlaceOf, recordAudit } from "../audit/audit.js";
import {
  hashRecovery,
  matchingStep,
  RECOVERY_CODE_COUNT,
  recoveryCode,
  requiredFor,
  totpFor,
  useCode,
} from "./two-factor.js";

export interface Enrolment {
  secret: string;
  /** otpauth:// URI, as the QR code carries it. */
  uri: string;
  /** The QR code as an inline SVG drawn here: no request leaves the portal. */
  qrSvg: string;
}

export interface TwoFactorStatus {
  /** A confirmed app: sign-in asks for a code. */
  enabled: boolean;
  /** A rule covers this user: they cannot turn it off, and must enrol if they have not. */
  required: boolean;
  /** When the app was confirmed. */
  since: string | null;
  recoveryCodesLeft: number;
}

const WRONG_CODE = "That code is not right. Type the 6 digits your app shows now.";

function fromSession(user: CurrentUser): void {
  if (user.token) {
    throw new ForbiddenError(
      "Two-factor sign-in is set up from a signed-in session, not with an API token.",
    );
  }
}

export async function twoFactorStatus(db: Kysely<DB>, user: CurrentUser): Promise<TwoFactorStatus> {
  const row = await findTwoFactor(db, user.id);
  const enabled = Boolean(row?.secret);
  return {
    enabled,
    required: await requiredFor(db, user),
    since: enabled ? (row?.enabled_at ?? null) : null,
    recoveryCodesLeft: enabled ? await countUnusedRecoveryCodes(db, user.id) : 0,
  };
}

/** The secret to enrol with: the one already shown, until it is confirmed, or a new one. */
export async function startEnrolment(db: Kysely<DB>, user: CurrentUser): Promise<Enrolment> {
  fromSession(user);
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
  fromSession(user);
  const row = await findTwoFactor(db, user.id);
  if (row?.secret) {
    throw new ValidationError({ code: "Two-factor sign-in is already on for your account." });
  }
  const secret = row?.pending_secret;
  const step = secret ? matchingStep(secret, code.trim(), now) : null;
  if (!secret || step === null) throw new ValidationError({ code: WRONG_CODE });
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

/**
 * The user turns their own second factor off, proving it with a current code (or a recovery
 * code). Refused while a rule requires it: then only an admin's reset takes it off.
 */
export async function turnOffTwoFactor(
  db: Kysely<DB>,
  user: CurrentUser,
  code: string,
  now = Date.now(),
): Promise<void> {
  fromSession(user);
  if (await requiredFor(db, user)) {
    throw new ForbiddenError(
      "Two-factor sign-in is required where you work: it cannot be turned off. If you lost your phone, ask an admin to reset it.",
    );
  }
  if (!(await findTwoFactor(db, user.id))?.secret) {
    throw new ValidationError({ code: "Two-factor sign-in is not on for your account." });
  }
  const how = await useCode(db, user.id, code, now);
  if (!how) {
    throw new ValidationError({
      code: "That code is not right, or was used already. Type the code your app shows now, or a recovery code.",
    });
  }
  await inWriteTransaction(db, async (trx) => {
    await deleteTwoFactor(trx, user.id);
    await recordAudit(
      trx,
      user,
      {
        action: "user.two_factor_off",
        subjectType: "user",
        subjectId: user.id,
        place: auditPlaceOf(user.scope),
        summary: "Turned off two-factor sign-in",
      },
      new Date(now).toISOString(),
    );
  });
}
