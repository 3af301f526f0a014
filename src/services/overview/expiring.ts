import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { programStatus, today } from "../../domain/duration.js";
import { type Level, levelPath } from "../../domain/levels.js";
import { countNumbersInPrograms, listTimelinePrograms } from "../../queries/overview.js";
import type { ReadCache } from "../read-cache.js";

/** How far ahead the dashboard and Overview warn that programs stop branding. */
export const EXPIRING_SOON_DAYS = 14;

export interface ExpiringSoon {
  programs: number;
  numbers: number;
  /** The last of their end dates (YYYY-MM-DD). */
  by: string;
  /** "3 programs, 1,240 numbers, stop displaying their names by Dec 15". */
  message: string;
  /** The dashboard filtered to the numbers of those programs. */
  href: string;
}

export function plusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** "3 programs, 1,240 numbers, stop displaying their names by Dec 15" (or "1 program … its"). */
export function expiringMessage(programs: number, numbers: number, by: string): string {
  const date = new Date(`${by}T00:00:00Z`).toLocaleDateString("en-US", {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });
  const verb = programs === 1 ? "stops displaying its name" : "stop displaying their names";
  return `${plural(programs, "program", "programs")}, ${plural(numbers, "number", "numbers")}, ${verb} by ${date}`;
}

/**
 * Active programs at a level whose duration ends within the next 14 days, and how many
 * numbers they hold; null when there are none. Programs are few (their table is small), and
 * their numbers are counted through the program_id index, so the dashboard can afford it.
 */
export async function findExpiringSoon(
  db: Kysely<DB>,
  cache: ReadCache,
  level: Level,
  on: string = today(),
): Promise<ExpiringSoon | null> {
  const until = plusDays(on, EXPIRING_SOON_DAYS);
  return cache.get(`expiring-soon:${level.kind}:${level.id}:${on}`, async () => {
    const ending = (await listTimelinePrograms(db, level)).filter(
      (p) =>
        p.ends_on !== null &&
        p.ends_on <= until &&
        programStatus({ startsOn: p.starts_on, endsOn: p.ends_on }, on) === "active",
    );
    if (ending.length === 0) return null;
    const by = ending.reduce((max, p) => ((p.ends_on ?? "") > max ? (p.ends_on ?? max) : max), on);
    const numbers = await countNumbersInPrograms(
      db,
      ending.map((p) => p.id),
    );
    return {
      programs: ending.length,
      numbers,
      by,
      message: expiringMessage(ending.length, numbers, by),
      href: `${levelPath(level)}/numbers?status=expiring&within=${EXPIRING_SOON_DAYS}`,
    };
  });
}
