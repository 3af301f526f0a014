import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { User } from "../../db/tables/users.js";
import { replaceControls } from "../../domain/text.js";
import { findUserByEmail } from "../../queries/users.js";
import { recordAudit } from "../audit/audit.js";
import {
  hashPassword,
  PASSWORD_MAX_LENGTH,
  type ScryptParams,
  verifyPassword,
} from "./passwords.js";
import { hasSecondFactor } from "./two-factor.js";
import { toCurrentUser } from "./users.js";

/** One message for unknown user, wrong password and disabled account: nothing to enumerate. */
export const SIGN_IN_FAILED = "Email or password is incorrect.";

export class SignInError extends Error {
  constructor() {
    super(SIGN_IN_FAILED);
  }
}

let dummyHash: Promise<string> | null = null;

export interface Authenticated {
  user: User;
  /** The user has a second factor: the sign-in is not done until a code is given. */
  secondFactor: boolean;
}

/**
 * Checks email and password. An unknown email still costs one hash, so response time does
 * not tell which emails have accounts. Success and failure are both audited; a password
 * that is right for a user with a second factor is not yet a sign-in, and says so.
 */
export async function authenticate(
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
