/**
 * The one place that decides what a user may see and do. Routes ask it for every id;
 * queries filter by the same scope so nothing outside it is ever listed.
 */
import type { Role } from "../db/tables/users.js";
import type { Level } from "./levels.js";

export type Scope =
  | { kind: "portal" }
  | { kind: "business"; businessId: number }
  | { kind: "unit"; businessId: number; unitId: number };

export interface CurrentUser {
  id: number;
  email: string;
  role: Role;
  scope: Scope;
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
