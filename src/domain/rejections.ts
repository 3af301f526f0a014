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

/**
 * The short reason a person reads next to a rejected number; details go in its message. The
 * result shows them as one sentence, "reason: message" (rejectionSentence), so a message adds
 * to its reason and never says it again: "Already here: It is in ACME Corp › Billing.", not
 * "Already here: Already in …". The CSV and JSON carry both, as columns and fields.
 */
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

/** EXISTS_ELSEWHERE's message when the reader may not see where the number is. */
export const ELSEWHERE_UNSEEN = "It is in a place you cannot see.";

/**
 * A rejection as one sentence: its reason, then what the message adds. A message that already
 * starts with its reason (NOT_FOUND's) is said alone, so nothing reads twice.
 */
export function rejectionSentence(reason: string, message: string | null): string {
  if (!message) return reason;
  return message.startsWith(reason) ? message : `${reason}: ${message}`;
}

const KNOWN = new Set<string>(REJECTION_CODES);

/** For codes read back from storage or a request: only the known ones are trusted. */
export const isRejectionCode = (value: unknown): value is RejectionCode =>
  typeof value === "string" && KNOWN.has(value);
