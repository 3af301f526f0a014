import { type Level, levelPath } from "../domain/levels.js";
import { type CurrentUser, canManagePortal } from "../domain/permissions.js";

export type NavKey = "programs" | "units" | "businesses" | "call-purposes";

export interface NavItem {
  key: NavKey;
  label: string;
  href: string;
}

export interface NavGroup {
  label: string | null;
  items: NavItem[];
}

/**
 * The Main Navigation Panel for a user at a level. Items appear only once their screen
 * exists and the user may use it.
 */
export function buildNavigation(user: CurrentUser, level: Level | null): NavGroup[] {
  const groups: NavGroup[] = [];
  if (level) {
    // A program has no programs of its own: its Programs item lists its unit's.
    const programsOf =
      level.kind === "program" && level.unit ? `/units/${level.unit.id}` : levelPath(level);
    const items: NavItem[] = [
      { key: "programs", label: "Programs", href: `${programsOf}/programs` },
    ];
    items.push({
      key: "units",
      label: "Business Units",
      href: `/businesses/${level.business.id}/units`,
    });
    groups.push({ label: null, items });
  }
  if (canManagePortal(user)) {
    groups.push({
      label: "Portal admin",
      items: [
        { key: "businesses", label: "Businesses", href: "/businesses" },
        { key: "call-purposes", label: "Call Purposes", href: "/call-purposes" },
      ],
    });
  }
  return groups;
}
