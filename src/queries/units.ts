import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { BusinessUnit, NewBusinessUnit } from "../db/tables/hierarchy.js";

export interface UnitRow extends BusinessUnit {
  program_count: number;
  number_count: number;
}

/** Units of a business with counts; `onlyId` narrows to a unit-scoped user's own unit. */
export function listUnits(
  db: Kysely<DB>,
  businessId: number,
  onlyId: number | null,
): Promise<UnitRow[]> {
  let query = db
    .selectFrom("business_units as u")
    .selectAll("u")
    .select((eb) => [
      eb
        .selectFrom("programs")
        .whereRef("programs.business_unit_id", "=", "u.id")
        .select(eb.fn.countAll<number>().as("n"))
        .as("program_count"),
      eb
        .selectFrom("phone_numbers")
        .whereRef("phone_numbers.business_unit_id", "=", "u.id")
        .select(eb.fn.countAll<number>().as("n"))
        .as("number_count"),
    ])
    .where("u.business_id", "=", businessId)
    .orderBy("u.name");
  if (onlyId !== null) query = query.where("u.id", "=", onlyId);
  return query.execute() as Promise<UnitRow[]>;
}

export function findUnit(db: Kysely<DB>, id: number): Promise<BusinessUnit | undefined> {
  return db.selectFrom("business_units").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findUnitByName(
  db: Kysely<DB>,
  businessId: number,
  name: string,
): Promise<BusinessUnit | undefined> {
  return db
    .selectFrom("business_units")
    .selectAll()
    .where("business_id", "=", businessId)
    .where((eb) => eb(eb.fn("lower", ["name"]), "=", name.toLowerCase()))
    .executeTakeFirst();
}

export function insertUnit(db: Kysely<DB>, values: NewBusinessUnit): Promise<BusinessUnit> {
  return db.insertInto("business_units").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function renameUnit(
  db: Kysely<DB>,
  id: number,
  name: string,
  now: string,
): Promise<void> {
  await db
    .updateTable("business_units")
    .set({ name, updated_at: now })
    .where("id", "=", id)
    .execute();
}

/** Deletes the unit with its programs (the caller checked it holds no numbers or users). */
export async function deleteUnitTree(db: Kysely<DB>, id: number): Promise<void> {
  await db.deleteFrom("programs").where("business_unit_id", "=", id).execute();
  await db.deleteFrom("business_units").where("id", "=", id).execute();
}
