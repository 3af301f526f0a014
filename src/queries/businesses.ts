import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { Business, NewBusiness } from "../db/tables/hierarchy.js";

export interface BusinessRow extends Business {
  unit_count: number;
  number_count: number;
}

/** Businesses with their unit and number counts; `onlyId` narrows to a scoped user's one. */
export function listBusinesses(db: Kysely<DB>, onlyId: number | null): Promise<BusinessRow[]> {
  let query = db
    .selectFrom("businesses as b")
    .selectAll("b")
    .select((eb) => [
      eb
        .selectFrom("business_units")
        .whereRef("business_units.business_id", "=", "b.id")
        .select(eb.fn.countAll<number>().as("n"))
        .as("unit_count"),
      eb
        .selectFrom("phone_numbers")
        .whereRef("phone_numbers.business_id", "=", "b.id")
        .select(eb.fn.countAll<number>().as("n"))
        .as("number_count"),
    ])
    .orderBy("b.name");
  if (onlyId !== null) query = query.where("b.id", "=", onlyId);
  return query.execute() as Promise<BusinessRow[]>;
}

export function findBusiness(db: Kysely<DB>, id: number): Promise<Business | undefined> {
  return db.selectFrom("businesses").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Case-insensitive, as the unique index is. */
export function findBusinessByName(db: Kysely<DB>, name: string): Promise<Business | undefined> {
  return db
    .selectFrom("businesses")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["name"]), "=", name.toLowerCase()))
    .executeTakeFirst();
}

export async function insertBusiness(db: Kysely<DB>, values: NewBusiness): Promise<Business> {
  return db.insertInto("businesses").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function renameBusiness(
  db: Kysely<DB>,
  id: number,
  name: string,
  now: string,
): Promise<void> {
  await db.updateTable("businesses").set({ name, updated_at: now }).where("id", "=", id).execute();
}

/** Deletes the business with its units and programs (the caller checked it holds no numbers). */
export async function deleteBusinessTree(db: Kysely<DB>, id: number): Promise<void> {
  await db.deleteFrom("programs").where("business_id", "=", id).execute();
  await db.deleteFrom("business_units").where("business_id", "=", id).execute();
  await db.deleteFrom("businesses").where("id", "=", id).execute();
}
