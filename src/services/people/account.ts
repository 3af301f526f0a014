import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { inWriteTransaction } from "../../db/transaction.js";
import {
  type FieldErrors,
  hasErrors,
  NotFoundError,
  ValidationError,
} from "../../domain/errors.js";
import type { CurrentUser } from "../../domain/permissions.js";
import { countSessionsOfUser, deleteSessionsOfUser } from "../../queries/sessions.js";
import { findUser, updateUserRow } from "../../queries/users.js";
import { auditPlaceOf, recordAudit } from "../audit/audit.js";
import { hashPassword, type ScryptParams, validatePassword, verifyPassword } from "./passwords.js";

/** The user's own account: their password and their sessions. */

export interface PasswordChange {
  current_password: string;
  new_password: string;
  confirm_password: string;
}

/** The user's own password change; their other sessions end (the current one stays). */
export async function changeOwnPassword(
  db: Kysely<DB>,
  user: CurrentUser,
  sessionId: string,
  input: PasswordChange,
  hashing: ScryptParams,
): Promise<void> {
  const row = await findUser(db, user.id);
  if (!row) throw new NotFoundError("No such user.");
  const errors: FieldErrors = {};
  if (!row.password_hash || !(await verifyPassword(input.current_password, row.password_hash))) {
    errors.current_password = "That is not your current password.";
  }
  const problem = validatePassword(input.new_password);
  if (problem) errors.new_password = problem;
  else if (input.new_password === input.current_password)
    errors.new_password = "Choose a password different from the current one.";
  if (input.confirm_password !== input.new_password)
    errors.confirm_password = "The two new passwords differ.";
  if (hasErrors(errors)) throw new ValidationError(errors);
  const hash = await hashPassword(input.new_password, hashing);
  await inWriteTransaction(db, async (trx) => {
    const now = new Date().toISOString();
    await updateUserRow(trx, user.id, {
      password_hash: hash,
      must_change_password: 0,
      updated_at: now,
    });
    const ended = await deleteSessionsOfUser(trx, user.id, sessionId);
    await recordAudit(
      trx,
      user,
      {
        action: "user.change_password",
        subjectType: "user",
        subjectId: user.id,
        place: auditPlaceOf(user.scope),
        summary: `Changed own password; ended ${ended} other session(s)`,
      },
      now,
    );
  });
}

export async function endOtherSessions(
  db: Kysely<DB>,
  user: CurrentUser,
  sessionId: string,
): Promise<number> {
  return inWriteTransaction(db, async (trx) => {
    const ended = await deleteSessionsOfUser(trx, user.id, sessionId);
    await recordAudit(
      trx,
      user,
      {
        action: "auth.end_other_sessions",
        subjectType: "user",
        subjectId: user.id,
        place: auditPlaceOf(user.scope),
        summary: `Signed out ${ended} other session(s)`,
      },
      new Date().toISOString(),
    );
    return ended;
  });
}

/** How many sessions the user has besides the one asking. */
export async function countOtherSessions(db: Kysely<DB>, userId: number): Promise<number> {
  return (await countSessionsOfUser(db, userId)) - 1;
}
