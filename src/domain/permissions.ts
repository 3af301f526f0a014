/**
 * The one place that decides what a user may see and do. Routes ask it for every id;
 * queries filter by the same scope so nothing outside it is ever listed.
 */
import type { Level } from "./levels.js";

export type Role = "portal_admin" | "admin" | "editor" | "viewer";

export type Scope =
  | { kind: "portal" }
  | { kind: "business"; businessId: number }
  | { kind: "unit"; businessId: number; unitId: number };

export interface CurrentUser {
  id: number;
  email: string;
  role: Role;
  scope: Scope;
  /** Set when the request came with an API token (not a session): audit events name it. */
  token?: { id: number; name: string };
}

export const ROLE_LABELS: Record<Role, string> = {
  portal_admin: "Portal admin",
  admin: "Admin",
  editor: "Editor",
  viewer: "Viewer",
};

/** A level is visible when it lies inside the user's scope. */
export function canSeeLevel(user: CurrentUser, level: Level): boolean {
  const { scope } = user;
  switch (scope.kind) {
    case "portal":
      return true;
    case "business":
      return level.business.id === scope.businessId;
    case "unit":
      return level.business.id === scope.businessId && level.unit?.id === scope.unitId;
  }
}

/** Businesses and the call-purpose catalog are the portal admin's alone. */
export function canManagePortal(user: CurrentUser): boolean {
  return user.role === "portal_admin";
}

/**
 * Units and programs are managed by admins inside their scope. A unit-scoped admin manages
 * the programs of their unit but not the unit itself, which is the edge of their scope.
 */
export function canManageUnits(user: CurrentUser, level: Level): boolean {
  if (!canSeeLevel(user, level)) return false;
  if (user.role === "portal_admin") return true;
  return user.role === "admin" && user.scope.kind === "business";
}

export function canManagePrograms(user: CurrentUser, level: Level): boolean {
  if (!canSeeLevel(user, level)) return false;
  return user.role === "portal_admin" || user.role === "admin";
}

/** Admins manage the users inside their scope; portal admins manage everyone. */
export function canManageUsers(user: CurrentUser, level: Level | null): boolean {
  if (level === null) return user.role === "portal_admin";
  if (!canSeeLevel(user, level)) return false;
  return user.role === "portal_admin" || user.role === "admin";
}

/** Roles a user may hand out: never above their own. */
export function assignableRoles(user: CurrentUser): Role[] {
  if (user.role === "portal_admin") return ["portal_admin", "admin", "editor", "viewer"];
  if (user.role === "admin") return ["admin", "editor", "viewer"];
  return [];
}

/** True when `inner` lies inside `outer` (a unit inside its business, anything inside the portal). */
export function scopeWithin(outer: Scope, inner: Scope): boolean {
  switch (outer.kind) {
    case "portal":
      return true;
    case "business":
      return inner.kind !== "portal" && inner.businessId === outer.businessId;
    case "unit":
      return inner.kind === "unit" && inner.unitId === outer.unitId;
  }
}

/** Whether `actor` may change, disable or reset `target` (a user with that role and scope). */
export function canManageUser(actor: CurrentUser, target: { role: Role; scope: Scope }): boolean {
  if (actor.role === "portal_admin") return true;
  if (actor.role !== "admin") return false;
  return target.role !== "portal_admin" && scopeWithin(actor.scope, target.scope);
}

/** Portal admins have the whole portal as scope; every other role needs a business or unit. */
export function roleFitsScope(role: Role, scope: Scope): boolean {
  return (role === "portal_admin") === (scope.kind === "portal");
}

/** Form value of a scope: "portal", "business:3" or "unit:12". */
export function scopeValue(scope: Scope): string {
  if (scope.kind === "portal") return "portal";
  return scope.kind === "business" ? `business:${scope.businessId}` : `unit:${scope.unitId}`;
}

/** Where a phone number sits, as access checks need it. */
export interface NumberPlace {
  business_id: number;
  business_unit_id: number | null;
}

/** A number is visible when it lies in the user's scope (else it does not exist for them). */
export function canSeeNumber(user: CurrentUser, number: NumberPlace): boolean {
  const { scope } = user;
  if (scope.kind === "portal") return true;
  if (scope.kind === "business") return number.business_id === scope.businessId;
  return number.business_id === scope.businessId && number.business_unit_id === scope.unitId;
}

/** Editors and admins change numbers in their scope; viewers only read. */
export function canEditNumbers(user: CurrentUser): boolean {
  return user.role !== "viewer";
}
