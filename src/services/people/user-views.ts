/** Who a user sees in the Users lists, and which roles and scopes their forms offer. */
import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { ForbiddenError, NotFoundError } from "../../domain/errors.js";
import type { Level, LevelKind } from "../../domain/levels.js";
import {
  assignableRoles,
  type CurrentUser,
  canManageUser,
  canManageUsers,
  ROLE_LABELS,
  type Scope,
  scopeValue,
  scopeWithin,
} from "../../domain/permissions.js";
import { listBusinessRefs, listUnitRefs } from "../../queries/levels.js";
import { findUserRow, listUsers, type UserFilter, type UserRow } from "../../queries/users.js";
import { resolveLevel } from "../hierarchy/levels.js";
import { scopeOf } from "./users.js";

export interface UserView extends UserRow {
  roleLabel: string;
  scopeLabel: string;
  canManage: boolean;
}

function scopeLabelOf(row: UserRow): string {
  if (row.business_id === null) return "Whole portal";
  return row.unit_name ? `${row.business_name} › ${row.unit_name}` : `${row.business_name ?? ""}`;
}

function toView(actor: CurrentUser, row: UserRow): UserView {
  return {
    ...row,
    roleLabel: ROLE_LABELS[row.role],
    scopeLabel: scopeLabelOf(row),
    canManage: row.id !== actor.id && canManageUser(actor, { role: row.role, scope: scopeOf(row) }),
  };
}

/** Users at a level (or everyone, for a portal admin's list), within the actor's scope. */
export async function listUsersFor(
  db: Kysely<DB>,
  actor: CurrentUser,
  level: Level | null,
): Promise<UserView[]> {
  let filter: UserFilter = { kind: "all" };
  if (level?.unit) filter = { kind: "unit", unitId: level.unit.id };
  else if (level) filter = { kind: "business", businessId: level.business.id };
  const rows = await listUsers(db, filter);
  return rows
    .filter((row) => row.id === actor.id || scopeWithin(actor.scope, scopeOf(row)))
    .map((row) => toView(actor, row));
}

/**
 * The level of a Users list (null: the portal admin's list of everyone): a level outside the
 * actor's scope is a 404; one where they do not manage users, a 403.
 */
export async function userListLevel(
  db: Kysely<DB>,
  actor: CurrentUser,
  at: { kind: LevelKind; id: number } | null,
): Promise<Level | null> {
  const level = at === null ? null : await resolveLevel(db, actor, at.kind, at.id);
  if (!canManageUsers(actor, level)) throw new ForbiddenError("Only admins can manage users.");
  return level;
}

export async function findUserView(
  db: Kysely<DB>,
  actor: CurrentUser,
  id: number,
): Promise<UserView> {
  const row = await findUserRow(db, id);
  // Users outside the actor's scope do not exist for them.
  if (!row || !(row.id === actor.id || scopeWithin(actor.scope, scopeOf(row)))) {
    throw new NotFoundError("No such user.");
  }
  return toView(actor, row);
}

/** A user the actor is about to change: outside their scope a 404, above their role a 403. */
export async function managedUserView(
  db: Kysely<DB>,
  actor: CurrentUser,
  id: number,
): Promise<UserView> {
  const user = await findUserView(db, actor, id);
  if (!user.canManage) throw new ForbiddenError("Your role cannot manage this user.");
  return user;
}

export interface Choice {
  value: string;
  label: string;
}

export function roleChoices(actor: CurrentUser): Choice[] {
  return assignableRoles(actor).map((role) => ({ value: role, label: ROLE_LABELS[role] }));
}

/** Scopes the actor may give, narrowed to the level the form was opened at. */
export async function scopeChoices(
  db: Kysely<DB>,
  actor: CurrentUser,
  level: Level | null,
): Promise<Choice[]> {
  const choices: Choice[] = [];
  if (level === null && actor.scope.kind === "portal")
    choices.push({ value: "portal", label: "Whole portal (portal admins only)" });
  const businesses = level
    ? [level.business]
    : await listBusinessRefs(db, actor.scope.kind === "portal" ? null : actor.scope.businessId);
  for (const business of businesses) {
    const businessScope: Scope = { kind: "business", businessId: business.id };
    if (!level?.unit && scopeWithin(actor.scope, businessScope)) {
      choices.push({
        value: scopeValue(businessScope),
        label: `${business.name} (whole business)`,
      });
    }
    const units = level?.unit ? [level.unit] : await listUnitRefs(db, business.id, null);
    for (const unit of units) {
      const unitScope: Scope = { kind: "unit", businessId: business.id, unitId: unit.id };
      if (scopeWithin(actor.scope, unitScope)) {
        choices.push({ value: scopeValue(unitScope), label: `${business.name} › ${unit.name}` });
      }
    }
  }
  return choices;
}
