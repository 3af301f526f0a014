import { type Kysely, sql } from "kysely";
import type { DB } from "../db/database.js";
import type { LevelKind } from "../domain/levels.js";

const NUMBER_LEVEL_COLUMN = {
  business: "business_id",
  unit: "business_unit_id",
  program: "program_id",
} as const;

/** How many numbers sit at one (unit, program, purpose) place of a level. */
export interface PlaceCount {
  business_unit_id: number | null;
  program_id: number | null;
  call_purpose_id: number;
  n: number;
}

/**
 * The numbers of a level counted by unit, program and call purpose in one GROUP BY: every
 * Overview chart of numbers (by status, purpose, unit or program) is a sum over these rows,
 * so a million numbers are read once per data version instead of once per chart.
 */
export async function countNumbersByPlace(
  db: Kysely<DB>,
  level: { kind: LevelKind; id: number },
): Promise<PlaceCount[]> {
  const rows = await db
    .selectFrom("phone_numbers")
    .select(["business_unit_id", "program_id", "call_purpose_id"])
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(NUMBER_LEVEL_COLUMN[level.kind], "=", level.id)
    .groupBy(["business_unit_id", "program_id", "call_purpose_id"])
    .execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** A program as the timeline draws it. */
export interface TimelineProgram {
  id: number;
  name: string;
  display_name: string;
  business_unit_id: number;
  starts_on: string | null;
  ends_on: string | null;
}

/** The programs of a level (a program level: itself), by end date, open-ended last. */
export function listTimelinePrograms(
  db: Kysely<DB>,
  level: { kind: LevelKind; id: number },
): Promise<TimelineProgram[]> {
  const column =
    level.kind === "business" ? "business_id" : level.kind === "unit" ? "business_unit_id" : "id";
  return db
    .selectFrom("programs")
    .select(["id", "name", "display_name", "business_unit_id", "starts_on", "ends_on"])
    .where(column, "=", level.id)
    .orderBy((eb) => eb.case().when("ends_on", "is", null).then(1).else(0).end())
    .orderBy("ends_on")
    .orderBy("name")
    .execute();
}

/** Numbers added (or restored) and removed in one week of the chart. */
export interface WeekCount {
  week: number;
  action: string;
  n: number;
}

/**
 * Number events of a level per week and action, from the audit log: `weekStarts` are the
 * weeks' first instants (ISO, ascending); an event falls in the last week that started
 * before it. One range scan of the (business_id, occurred_at) index, bucketed by a CASE that
 * both SQLite and PostgreSQL read the same way.
 */
export async function countNumberEventsByWeek(
  db: Kysely<DB>,
  place: { businessId: number; unitId: number | null; programId: number | null },
  weekStarts: string[],
  until: string,
  actions: string[],
): Promise<WeekCount[]> {
  const first = weekStarts[0];
  if (first === undefined) return [];
  let query = db
    .selectFrom("audit_events")
    .where("business_id", "=", place.businessId)
    .where("occurred_at", ">=", first)
    .where("occurred_at", "<", until)
    .where("action", "in", actions);
  if (place.unitId !== null) query = query.where("business_unit_id", "=", place.unitId);
  if (place.programId !== null) query = query.where("program_id", "=", place.programId);
  const rows = await query
    .select((eb) => {
      // Latest week first: the first WHEN that holds names the event's week. Literal week
      // numbers, so PostgreSQL need not guess the type of a parameter in THEN.
      const last = weekStarts.length - 1;
      let bucket = eb
        .case()
        .when("occurred_at", ">=", weekStarts[last] ?? first)
        .then(sql.lit(last));
      for (let i = last - 1; i >= 0; i--) {
        bucket = bucket.when("occurred_at", ">=", weekStarts[i] ?? first).then(sql.lit(i));
      }
      return bucket.else(sql.lit(0)).end().as("week");
    })
    .select("action")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .groupBy(["week", "action"])
    .execute();
  return rows.map((r) => ({ week: Number(r.week), action: r.action, n: Number(r.n) }));
}

/** How many numbers these programs hold together (through the program_id index). */
export async function countNumbersInPrograms(
  db: Kysely<DB>,
  programIds: number[],
): Promise<number> {
  if (programIds.length === 0) return 0;
  const row = await db
    .selectFrom("phone_numbers")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("program_id", "in", programIds)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
