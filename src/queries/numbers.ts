import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { NewPhoneNumber, PhoneNumber } from "../db/tables/numbers.js";
import type { LevelKind } from "../domain/levels.js";

export type StatusFilter = "active" | "scheduled" | "expired" | "unassigned" | "expiring";
export type NumberSort = "added" | "added_asc" | "number" | "number_desc";

/** Which numbers a dashboard shows: a level, optional filters, optional digit matches. */
export interface NumberFilter {
  level: { kind: LevelKind; id: number };
  unitId: number | null;
  programId: number | null;
  purposeId: number | null;
  status: StatusFilter | null;
  /** Numbers whose digits matched the search (from the digit index), or null for no search. */
  ids: number[] | null;
  /** Fallback for very short searches: a substring of the E.164 digits. */
  digitsLike: string | null;
  /** Today and today + 30 days (YYYY-MM-DD), for program statuses. */
  today: string;
  expiringBy: string;
}

/** A dashboard row: the number with the names of where it sits. */
export interface NumberRow {
  id: number;
  e164: string;
  business_id: number;
  business_unit_id: number | null;
  program_id: number | null;
  call_purpose_id: number;
  created_at: string;
  updated_at: string;
  business_name: string;
  unit_name: string | null;
  program_name: string | null;
  display_name: string | null;
  starts_on: string | null;
  ends_on: string | null;
  purpose_name: string;
  purpose_code: string | null;
}

const LEVEL_COLUMN = {
  business: "n.business_id",
  unit: "n.business_unit_id",
  program: "n.program_id",
} as const;

/**
 * The filtered set, as a query to count or page through. A status filter asks which programs
 * are in that status (a few thousand at most) instead of joining every number to its program.
 */
function filtered(db: Kysely<DB>, f: NumberFilter) {
  let query = db
    .selectFrom("phone_numbers as n")
    .where(LEVEL_COLUMN[f.level.kind], "=", f.level.id);
  if (f.unitId !== null) query = query.where("n.business_unit_id", "=", f.unitId);
  if (f.programId !== null) query = query.where("n.program_id", "=", f.programId);
  if (f.purposeId !== null) query = query.where("n.call_purpose_id", "=", f.purposeId);
  if (f.ids !== null) query = query.where("n.id", "in", f.ids.length > 0 ? f.ids : [-1]);
  if (f.digitsLike !== null) query = query.where("n.e164", "like", `%${f.digitsLike}%`);
  const { status, today, expiringBy } = f;
  if (status === null) return query;
  if (status === "unassigned") return query.where("n.program_id", "is", null);
  return query.where("n.program_id", "in", (sub) =>
    sub
      .selectFrom("programs as p")
      .select("p.id")
      .where((eb) => {
        const started = eb.or([eb("p.starts_on", "is", null), eb("p.starts_on", "<=", today)]);
        const notEnded = eb.or([eb("p.ends_on", "is", null), eb("p.ends_on", ">=", today)]);
        switch (status) {
          case "scheduled":
            return eb("p.starts_on", ">", today);
          case "expired":
            return eb("p.ends_on", "<", today);
          case "active":
            return eb.and([started, notEnded]);
          case "expiring":
            return eb.and([
              started,
              eb("p.ends_on", ">=", today),
              eb("p.ends_on", "<=", expiringBy),
            ]);
        }
      }),
  );
}

export async function countNumbers(db: Kysely<DB>, f: NumberFilter): Promise<number> {
  const row = await filtered(db, f)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const SORTS: Record<NumberSort, [column: "n.created_at" | "n.e164", direction: "asc" | "desc"]> = {
  added: ["n.created_at", "desc"],
  added_asc: ["n.created_at", "asc"],
  number: ["n.e164", "asc"],
  number_desc: ["n.e164", "desc"],
};

/**
 * One page of numbers in order: ids first, then their rows. Two steps, so a deep page skips
 * over index entries only. Names are attached by the caller from its directory.
 */
export async function listNumberPage(
  db: Kysely<DB>,
  f: NumberFilter,
  sort: NumberSort,
  limit: number,
  offset: number,
): Promise<PhoneNumber[]> {
  const [column, direction] = SORTS[sort];
  const ids = (
    await filtered(db, f)
      .select("n.id")
      .orderBy(column, direction)
      .orderBy("n.id", direction)
      .limit(limit)
      .offset(offset)
      .execute()
  ).map((row) => row.id);
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("phone_numbers").selectAll().where("id", "in", ids).execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id)).filter((row): row is PhoneNumber => row !== undefined);
}

function selectNumberRows(db: Kysely<DB>) {
  return db
    .selectFrom("phone_numbers as n")
    .innerJoin("businesses as b", "b.id", "n.business_id")
    .innerJoin("call_purposes as cp", "cp.id", "n.call_purpose_id")
    .leftJoin("business_units as u", "u.id", "n.business_unit_id")
    .leftJoin("programs as p", "p.id", "n.program_id")
    .select([
      "n.id",
      "n.e164",
      "n.business_id",
      "n.business_unit_id",
      "n.program_id",
      "n.call_purpose_id",
      "n.created_at",
      "n.updated_at",
      "b.name as business_name",
      "u.name as unit_name",
      "p.name as program_name",
      "p.display_name",
      "p.starts_on",
      "p.ends_on",
      "cp.name as purpose_name",
      "cp.code as purpose_code",
    ]);
}

export function findNumberRow(db: Kysely<DB>, id: number): Promise<NumberRow | undefined> {
  return selectNumberRows(db).where("n.id", "=", id).executeTakeFirst();
}

/** Rows for an export, in pages by id so a long export never holds the database for long. */
export function listNumberRowsAfter(
  db: Kysely<DB>,
  f: NumberFilter,
  afterId: number,
  limit: number,
): Promise<NumberRow[]> {
  return filtered(db, f)
    .select("n.id")
    .where("n.id", ">", afterId)
    .orderBy("n.id")
    .limit(limit)
    .execute()
    .then(async (ids) =>
      ids.length === 0
        ? []
        : selectNumberRows(db)
            .where(
              "n.id",
              "in",
              ids.map((r) => r.id),
            )
            .orderBy("n.id")
            .execute(),
    );
}

/** Every number of a business as (id, e164), newest first: the digit index is built from it. */
export function listBusinessNumberDigits(
  db: Kysely<DB>,
  businessId: number,
): Promise<Array<Pick<PhoneNumber, "id" | "e164">>> {
  return db
    .selectFrom("phone_numbers")
    .select(["id", "e164"])
    .where("business_id", "=", businessId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

export async function updateNumberPurpose(
  db: Kysely<DB>,
  id: number,
  purposeId: number,
  now: string,
): Promise<void> {
  await db
    .updateTable("phone_numbers")
    .set({ call_purpose_id: purposeId, updated_at: now })
    .where("id", "=", id)
    .execute();
}

export async function deleteNumber(db: Kysely<DB>, id: number): Promise<void> {
  await db.deleteFrom("phone_numbers").where("id", "=", id).execute();
}

/** The numbers (of any place) among these E.164 values, looked up 500 at a time. */
export async function findNumbersByE164(db: Kysely<DB>, e164s: string[]): Promise<PhoneNumber[]> {
  const found: PhoneNumber[] = [];
  for (let i = 0; i < e164s.length; i += 500) {
    found.push(
      ...(await db
        .selectFrom("phone_numbers")
        .selectAll()
        .where("e164", "in", e164s.slice(i, i + 500))
        .execute()),
    );
  }
  return found;
}

/** True when a phone number row holds this id. */
export async function numberIdInUse(db: Kysely<DB>, id: number): Promise<boolean> {
  const row = await db
    .selectFrom("phone_numbers")
    .select("id")
    .where("id", "=", id)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertNumbers(db: Kysely<DB>, rows: NewPhoneNumber[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto("phone_numbers")
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

export async function moveNumber(
  db: Kysely<DB>,
  id: number,
  place: Pick<PhoneNumber, "business_id" | "business_unit_id" | "program_id" | "updated_at">,
): Promise<void> {
  await db.updateTable("phone_numbers").set(place).where("id", "=", id).execute();
}
