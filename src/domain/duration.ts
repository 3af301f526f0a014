/** A program's duration: optional start and end dates (ISO YYYY-MM-DD), end on or after start. */
export interface Duration {
  startsOn: string | null;
  endsOn: string | null;
}

export type ProgramStatus = "scheduled" | "active" | "expired";

export const PROGRAM_STATUS_LABELS: Record<ProgramStatus, string> = {
  scheduled: "Scheduled",
  active: "Active",
  expired: "Expired",
};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written as YYYY-MM-DD (rejects 2026-02-30). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Checks both dates and their order; messages are keyed by form field. */
export function validateDuration(duration: Duration): Record<string, string> {
  const errors: Record<string, string> = {};
  if (duration.startsOn !== null && !isIsoDate(duration.startsOn)) {
    errors.starts_on = "Enter the start date as a real date (YYYY-MM-DD).";
  }
  if (duration.endsOn !== null && !isIsoDate(duration.endsOn)) {
    errors.ends_on = "Enter the end date as a real date (YYYY-MM-DD).";
  }
  if (
    !errors.starts_on &&
    !errors.ends_on &&
    duration.startsOn !== null &&
    duration.endsOn !== null &&
    duration.endsOn < duration.startsOn
  ) {
    errors.ends_on = "The end date must be on or after the start date.";
  }
  return errors;
}

/** Today's date (YYYY-MM-DD) in UTC; the portal's one clock for statuses. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Scheduled before the start, Expired after the end, Active in between (both days included). */
export function programStatus(duration: Duration, on: string = today()): ProgramStatus {
  if (duration.startsOn !== null && on < duration.startsOn) return "scheduled";
  if (duration.endsOn !== null && on > duration.endsOn) return "expired";
  return "active";
}
