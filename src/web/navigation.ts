import { type Level, levelPath } from "../domain/levels.js";
import {
  type CurrentUser,
  canEditNumbers,
  canManagePortal,
  canManageUsers,
  canSeeLevel,
} from "../domain/permissions.js";

export type NavKey =
  | "overview"
  | "numbers"
  | "add-numbers"
  | "delete-numbers"
  | "removed"
  | "runs"
  | "activity"
  | "programs"
  | "units"
  | "users"
  | "businesses"
  | "call-purposes"
  | "all-users";

export interface NavItem {
  key: NavKey;
  label: string;
  href: string;
}

export interface NavGroup {
  label: string | null;
  /** Where the group's label itself leads, when it is a link rather than a plain heading. */
  href?: string;
  items: NavItem[];
}

/**
 * Manage Phone Numbers: the sidebar's group and the dashboard's menu button (product.md §2).
 * Add and Delete for those who may change numbers (Delete at business and unit level only);
 * Runs and Recently Removed for everyone who sees the level.
 */
export function manageItems(user: CurrentUser, level: Level): NavItem[] {
  const here = levelPath(level);
  const items: NavItem[] = [];
  if (canEditNumbers(user)) {
    items.push({ key: "add-numbers", label: "Add Phone Numbers", href: `${here}/numbers/add` });
    if (level.kind !== "program") {
      items.push({
        key: "delete-numbers",
        label: "Delete Phone Numbers",
        href: `${here}/numbers/delete`,
      });
    }
  }
  items.push(
    { key: "runs", label: "Runs", href: `${here}/runs` },
    { key: "removed", label: "Recently Removed", href: `${here}/numbers/removed` },
  );
  return items;
}

/**
 * The Main Navigation Panel for a user at a level. Items appear only once their screen
 * exists and only when the user may use it.
 */
export function buildNavigation(user: CurrentUser, level: Level | null): NavGroup[] {
  const groups: NavGroup[] = [];
  if (level) {
    const here = levelPath(level);
    groups.push({
      label: null,
      items: [
        { key: "overview", label: "Overview", href: `${here}/overview` },
        { key: "numbers", label: "Phone Numbers", href: `${here}/numbers` },
      ],
    });
    // The label is a link too (issue 12): to the first screen of the group the role may use,
    // Add Phone Numbers for those who change numbers (offered at every level), Runs for a
    // viewer, so it never leads where the role is refused.
    const manage = manageItems(user, level);
    groups.push({ label: "Manage Phone Numbers", href: manage[0]?.href ?? here, items: manage });
    // A program has no programs or users of its own: those items list its unit's.
    const listsOf = level.kind === "program" && level.unit ? `/units/${level.unit.id}` : here;
    const items: NavItem[] = [{ key: "programs", label: "Programs", href: `${listsOf}/programs` }];
    const businessLevel: Level = {
      ...level,
      kind: "business",
      id: level.business.id,
      unit: null,
      program: null,
    };
    if (canSeeLevel(user, businessLevel)) {
      items.push({
        key: "units",
        label: "Business Units",
        href: `/businesses/${level.business.id}/units`,
      });
    }
    if (canManageUsers(user, level)) {
      items.push({ key: "users", label: "Users", href: `${listsOf}/users` });
    }
    items.push({ key: "activity", label: "Activity", href: `${here}/activity` });
    groups.push({ label: null, items });
  }
  if (canManagePortal(user)) {
    groups.push({
      label: "Portal admin",
      items: [
        { key: "businesses", label: "Businesses", href: "/businesses" },
        { key: "call-purposes", label: "Call Purposes", href: "/call-purposes" },
        { key: "all-users", label: "All Users", href: "/users" },
      ],
    });
  }
  return groups;
}
