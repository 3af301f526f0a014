import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { CallPurpose, NewCallPurpose } from "../db/tables/hierarchy.js";

export interface CallPurposeRow extends CallPurpose {
  number_count: number;
  program_count: number;
}

export function listCallPurposes(db: Kysely<DB>): Promise<CallPurposeRow[]> {
  return db
    .selectFrom("call_purposes as cp")
    .selectAll("cp")
    .select((eb) => [
      eb
        .selectFrom("phone_numbers")
        .whereRef("phone_numbers.call_purpose_id", "=", "cp.id")
        .select(eb.fn.countAll<number>().as("n"))
        .as("number_count"),
      eb
        .selectFrom("programs")
        .whereRef("programs.default_call_purpose_id", "=", "cp.id")
        .select(eb.fn.countAll<number>().as("n"))
        .as("program_count"),
    ])
    .orderBy("cp.retired_at", (ob) => ob.asc().nullsFirst())
    .orderBy("cp.name")
    .execute() as Promise<CallPurposeRow[]>;
}

/** The purposes offered in dropdowns: not retired. */
export function listActiveCallPurposes(db: Kysely<DB>): Promise<CallPurpose[]> {
  return db
    .selectFrom("call_purposes")
    .selectAll()
    .where("retired_at", "is", null)
    .orderBy("name")
    .execute();
}

export function findCallPurpose(db: Kysely<DB>, id: number): Promise<CallPurpose | undefined> {
  return db.selectFrom("call_purposes").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findCallPurposeByName(
  db: Kysely<DB>,
  name: string,
): Promise<CallPurpose | undefined> {
  return db
    .selectFrom("call_purposes")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["name"]), "=", name.toLowerCase()))
    .executeTakeFirst();
}

export function insertCallPurpose(db: Kysely<DB>, values: NewCallPurpose): Promise<CallPurpose> {
  return db.insertInto("call_purposes").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateCallPurpose(
  db: Kysely<DB>,
  id: number,
  values: { name?: string; retired_at?: string | null; updated_at: string },
): Promise<void> {
  await db.updateTable("call_purposes").set(values).where("id", "=", id).execute();
}

/** Ids, names and whether retired: what a filter dropdown needs, without counting numbers. */
export function listCallPurposeRefs(
  db: Kysely<DB>,
): Promise<Array<{ id: number; name: string; retired_at: string | null }>> {
  return db
    .selectFrom("call_purposes")
    .select(["id", "name", "retired_at"])
    .orderBy("name")
    .execute();
}
