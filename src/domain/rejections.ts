/**
 * Why a number in an add or delete run was not processed (product.md §4). The codes are part
 * of the portal's interface: the same in the page, the CSV download and JSON, so scripts may
 * rely on them. Never rename one; add new ones instead.
 */
export const REJECTION_CODES = [
  "INVALID_FORMAT",
  "DUPLICATE_IN_LIST",
  "NOT_FOUND",
  "OUTSIDE_LEVEL",
  "EXISTS_ELSEWHERE",
  "ALREADY_HERE",
  "CALL_PURPOSE_MISMATCH",
  "UNKNOWN_CALL_PURPOSE",
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

/** The short reason a person reads next to a rejected number; details go in its message. */
export const REJECTION_LABELS: Readonly<Record<RejectionCode, string>> = {
  INVALID_FORMAT: "Invalid format",
  DUPLICATE_IN_LIST: "Duplicate in this list",
  NOT_FOUND: "Not found",
  OUTSIDE_LEVEL: "Outside this level",
  EXISTS_ELSEWHERE: "Exists elsewhere",
  ALREADY_HERE: "Already here",
  CALL_PURPOSE_MISMATCH: "Call purpose does not match",
  UNKNOWN_CALL_PURPOSE: "Unknown call purpose",
};

/**
 * NOT_FOUND's message. It covers both "not in the portal" and "somewhere this user may not
 * see" (hardening 2), so it says only what is true of both and reveals neither.
 */
export const NOT_FOUND_MESSAGE = "Not found among the numbers you can see.";

const KNOWN = new Set<string>(REJECTION_CODES);

/** For codes read back from storage or a request: only the known ones are trusted. */
export const isRejectionCode = (value: unknown): value is RejectionCode =>
  typeof value === "string" && KNOWN.has(value);
