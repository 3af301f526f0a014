import type { Holdings } from "../../queries/holdings.js";

/** Whether a business, unit or program may be deleted, and the words that explain it. */
export interface DeletionCheck {
  allowed: boolean;
  /** Why it is refused ("still holds 1,234 numbers…"), or what goes with it. */
  message: string;
  holdings: Holdings;
}

const plural = (n: number, one: string, many: string): string =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/**
 * Numbers are never deleted as a side effect: a place that still holds numbers (or users
 * scoped to it) must be emptied first. Units and programs without numbers go with it.
 */
export function describeDeletion(
  what: "business" | "business unit" | "program",
  holdings: Holdings,
): DeletionCheck {
  if (holdings.numbers > 0) {
    return {
      allowed: false,
      message: `still holds ${plural(holdings.numbers, "phone number", "phone numbers")}. Move or delete them before deleting this ${what}.`,
      holdings,
    };
  }
  if (holdings.users > 0) {
    return {
      allowed: false,
      message: `still has ${plural(holdings.users, "user", "users")} scoped to it. Change their scope or remove them before deleting this ${what}.`,
      holdings,
    };
  }
  const goesWith = [
    holdings.units > 0 ? plural(holdings.units, "business unit", "business units") : null,
    holdings.programs > 0 ? plural(holdings.programs, "program", "programs") : null,
  ].filter(Boolean);
  return {
    allowed: true,
    message:
      goesWith.length > 0
        ? `Its ${goesWith.join(" and ")} will be deleted with it. It holds no phone numbers.`
        : "It holds no phone numbers.",
    holdings,
  };
}
