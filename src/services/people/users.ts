import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { isUniqueViolation } from "../../db/errors.js";
import type { Role, User } from "../../db/tables/users.js";
import { inWriteTransaction } from "../../db/transaction.js";
import {
  type FieldErrors,
  ForbiddenError,
  hasErrors,
  NotFoundError,
  ValidationError,
} from "../../domain/errors.js";
import {
  assignableRoles,
  type CurrentUser,
  canManageUser,
  ROLE_LABELS,
  roleFitsScope,
  type Scope,
  scopeValue,
  scopeWithin,
} from "../../domain/permissions.js";
import { revokeTokensOfUser } from "../../queries/api-tokens.js";
import { findLevel } from "../../queries/levels.js";
import { deleteSessionsOfUser } from "../../queries/sessions.js";
import {
  countUsers,
  findUser,
  findUserByEmail,
  insertUser,
  updateUserRow,
} from "../../queries/users.js";
import { auditPlaceOf, recordAudit } from "../audit/audit.js";
import {
  generatePassword,
  hashPassword,
  type ScryptParams,
  validatePassword,
} from "./passwords.js";

/** The actor for `npm run user`: whoever runs it on the server box is trusted as a portal admin. */
export const COMMAND_LINE: CurrentUser = {
  id: 0,
  email: "command line",
  role: "portal_admin",
  scope: { kind: "portal" },
};

export function scopeOf(user: Pick<User, "role" | "business_id" | "business_unit_id">): Scope {
  if (user.role === "portal_admin" || user.business_id === null) return { kind: "portal" };
  if (user.business_unit_id !== null) {
    return { kind: "unit", businessId: user.business_id, unitId: user.business_unit_id };
  }
  return { kind: "business", businessId: user.business_id };
}

export function toCurrentUser(user: User): CurrentUser {
  return { id: user.id, email: user.email, role: user.role, scope: scopeOf(user) };
}

const scopeColumns = (scope: Scope) => ({
  business_id: scope.kind === "portal" ? null : scope.businessId,
  business_unit_id: scope.kind === "unit" ? scope.unitId : null,
});

/**
 * On first start (no users at all) creates the portal admin from ADMIN_EMAIL/ADMIN_PASSWORD,
 * generating a strong password when none is given. Returns null when users already exist.
 */
export async function ensureFirstAdmin(
  db: Kysely<DB>,
  options: { email: string; password: string | null; hashing: ScryptParams },
): Promise<{ user: User; generatedPassword: string | null } | null> {
  if ((await countUsers(db)) > 0) return null;
  const password = options.password ?? generatePassword();
  const problem = validatePassword(password);
  if (problem) throw new Error(`ADMIN_PASSWORD: ${problem}`);
  const hash = await hashPassword(password, options.hashing);
  return inWriteTransaction(db, async (trx) => {
    if ((await countUsers(trx)) > 0) return null;
    const now = new Date().toISOString();
    const user = await insertUser(trx, {
      email: options.email.trim(),
      role: "portal_admin",
      business_id: null,
      business_unit_id: null,
      password_hash: hash,
      must_change_password: options.password === null ? 1 : 0,
      disabled_at: null,
      created_at: now,
      updated_at: now,
    });
    await recordAudit(
      trx,
      user,
      {
        action: "user.create",
        subjectType: "user",
        subjectId: user.id,
        place: { businessId: null },
        summary: `Created the first portal admin ${user.email}`,
        after: { email: user.email, role: user.role },
      },
      now,
    );
    return { user, generatedPassword: options.password === null ? password : null };
  });
}

export interface UserInput {
  email?: string;
  role: string;
  scope: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

async function parseScope(db: Kysely<DB>, raw: string): Promise<Scope | null> {
  if (raw === "portal") return { kind: "portal" };
  const match = /^(business|unit):(\d{1,15})$/.exec(raw);
  if (!match) return null;
  const level = await findLevel(db, match[1] as "business" | "unit", Number(match[2]));
  if (!level) return null;
  return level.unit
    ? { kind: "unit", businessId: level.business.id, unitId: level.unit.id }
    : { kind: "business", businessId: level.business.id };
}

/** Role and scope rules: never above the actor, and the role must fit the scope. */
async function checkRoleAndScope(
  db: Kysely<DB>,
  actor: CurrentUser,
  input: UserInput,
  errors: FieldErrors,
): Promise<{ role: Role; scope: Scope } | null> {
  const roles = assignableRoles(actor);
  const role = roles.find((r) => r === input.role);
  if (!role) errors.role = `Choose one of: ${roles.map((r) => ROLE_LABELS[r]).join(", ")}.`;
  const scope = await parseScope(db, input.scope);
  if (!scope || !scopeWithin(actor.scope, scope)) {
    errors.scope = "Choose where this user works, within your own scope.";
  } else if (role && !roleFitsScope(role, scope)) {
    errors.scope =
      role === "portal_admin"
        ? "A portal admin works on the whole portal."
        : "Choose a business or a business unit for this role.";
  }
  return role && scope && !errors.scope ? { role, scope } : null;
}

export interface CreatedUser {
  user: User;
  /** Shown once to the admin; the user must replace it at first sign-in. */
  oneTimePassword: string;
}

export async function createUser(
  db: Kysely<DB>,
  actor: CurrentUser,
  input: UserInput,
  hashing: ScryptParams,
): Promise<CreatedUser> {
  const errors: FieldErrors = {};
  const email = (input.email ?? "").trim();
  if (!EMAIL.test(email) || email.length > 254)
    errors.email = "Enter an email address like name@example.com.";
  else if (await findUserByEmail(db, email))
    errors.email = `A user with the email ${email} already exists.`;
  const checked = await checkRoleAndScope(db, actor, input, errors);
  if (hasErrors(errors) || !checked) throw new ValidationError(errors);
  const oneTimePassword = generatePassword();
  const hash = await hashPassword(oneTimePassword, hashing);
  try {
    const user = await inWriteTransaction(db, async (trx) => {
      const now = new Date().toISOString();
      const created = await insertUser(trx, {
        email,
        role: checked.role,
        ...scopeColumns(checked.scope),
        password_hash: hash,
        must_change_password: 1,
        disabled_at: null,
        created_at: now,
        updated_at: now,
      });
      await recordAudit(
        trx,
        actor,
        {
          action: "user.create",
          subjectType: "user",
          subjectId: created.id,
          place: auditPlaceOf(checked.scope),
          summary: `Created user ${email} (${ROLE_LABELS[checked.role]})`,
          after: { email, role: checked.role, scope: scopeValue(checked.scope) },
        },
        now,
      );
      return created;
    });
    return { user, oneTimePassword };
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ValidationError({ email: `A user with the email ${email} already exists.` });
    throw error;
  }
}

/** Loads a user the actor may manage: 404 outside their scope, 403 for themselves or above. */
export async function manageable(db: Kysely<DB>, actor: CurrentUser, id: number): Promise<User> {
  const target = await findUser(db, id);
  if (!target || !(target.id === actor.id || scopeWithin(actor.scope, scopeOf(target)))) {
    throw new NotFoundError("No such user.");
  }
  if (target.id === actor.id)
    throw new ForbiddenError("You cannot change your own role, scope or access here.");
  if (!canManageUser(actor, { role: target.role, scope: scopeOf(target) })) {
    throw new ForbiddenError("Your role cannot manage this user.");
  }
  return target;
}

export async function updateUser(
  db: Kysely<DB>,
  actor: CurrentUser,
  id: number,
  input: UserInput,
): Promise<User> {
  const target = await manageable(db, actor, id);
  const errors: FieldErrors = {};
  const checked = await checkRoleAndScope(db, actor, input, errors);
  if (hasErrors(errors) || !checked) throw new ValidationError(errors);
  return inWriteTransaction(db, async (trx) => {
    const now = new Date().toISOString();
    const before = { role: target.role, scope: scopeValue(scopeOf(target)) };
    const after = { role: checked.role, scope: scopeValue(checked.scope) };
    if (before.role !== after.role || before.scope !== after.scope) {
      await updateUserRow(trx, id, {
        role: checked.role,
        ...scopeColumns(checked.scope),
        updated_at: now,
      });
      await recordAudit(
        trx,
        actor,
        {
          action: "user.update",
          subjectType: "user",
          subjectId: id,
          place: auditPlaceOf(checked.scope),
          summary: `Changed ${target.email}: ${ROLE_LABELS[checked.role]}, ${after.scope}`,
          before,
          after,
        },
        now,
      );
    }
    return { ...target, role: checked.role, ...scopeColumns(checked.scope), updated_at: now };
  });
}

/** Disabling ends every session of the user at once; enabling lets them sign in again. */
export async function setUserDisabled(
  db: Kysely<DB>,
  actor: CurrentUser,
  id: number,
  disabled: boolean,
): Promise<User> {
  const target = await manageable(db, actor, id);
  return inWriteTransaction(db, async (trx) => {
    const now = new Date().toISOString();
    if ((target.disabled_at !== null) === disabled) return target;
    const disabled_at = disabled ? now : null;
    await updateUserRow(trx, id, { disabled_at, updated_at: now });
    const ended = disabled ? await deleteSessionsOfUser(trx, id) : 0;
    // Their scripts stop too; enabling the user again does not bring old tokens back.
    const revoked = disabled ? await revokeTokensOfUser(trx, id, now) : 0;
    await recordAudit(
      trx,
      actor,
      {
        action: disabled ? "user.disable" : "user.enable",
        subjectType: "user",
        subjectId: id,
        place: auditPlaceOf(scopeOf(target)),
        summary: disabled
          ? `Disabled ${target.email}, ended ${ended} session(s) and revoked ${revoked} API token(s)`
          : `Enabled ${target.email}`,
        before: { disabled_at: target.disabled_at },
        after: { disabled_at },
      },
      now,
    );
    return { ...target, disabled_at, updated_at: now };
  });
}

/** A new one-time password for a user who lost theirs; their sessions end. */
export async function resetUserPassword(
  db: Kysely<DB>,
  actor: CurrentUser,
  id: number,
  hashing: ScryptParams,
): Promise<CreatedUser> {
  const target = await manageable(db, actor, id);
  const oneTimePassword = generatePassword();
  const hash = await hashPassword(oneTimePassword, hashing);
  await inWriteTransaction(db, async (trx) => {
    const now = new Date().toISOString();
    await updateUserRow(trx, id, { password_hash: hash, must_change_password: 1, updated_at: now });
    await deleteSessionsOfUser(trx, id);
    await recordAudit(
      trx,
      actor,
      {
        action: "user.reset_password",
        subjectType: "user",
        subjectId: id,
        place: auditPlaceOf(scopeOf(target)),
        summary: `Issued a new one-time password for ${target.email}`,
      },
      now,
    );
  });
  return { user: target, oneTimePassword };
}
