import type { Kysely, SelectQueryBuilder } from "kysely";
import type { DB } from "../db/database.js";

/** What a business, unit or program still holds: deleting it is refused while numbers remain. */
export interface Holdings {
  numbers: number;
  users: number;
  units: number;
  programs: number;
}

// biome-ignore lint/suspicious/noExplicitAny: any table's filtered rows can be counted
async function count(query: SelectQueryBuilder<DB, any, object>): Promise<number> {
  const row = await query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function countBusinessHoldings(db: Kysely<DB>, businessId: number): Promise<Holdings> {
  return {
    numbers: await count(db.selectFrom("phone_numbers").where("business_id", "=", businessId)),
    users: await count(db.selectFrom("users").where("business_id", "=", businessId)),
    units: await count(db.selectFrom("business_units").where("business_id", "=", businessId)),
    programs: await count(db.selectFrom("programs").where("business_id", "=", businessId)),
  };
}

export async function countUnitHoldings(db: Kysely<DB>, unitId: number): Promise<Holdings> {
  return {
    numbers: await count(db.selectFrom("phone_numbers").where("business_unit_id", "=", unitId)),
    users: await count(db.selectFrom("users").where("business_unit_id", "=", unitId)),
    units: 0,
    programs: await count(db.selectFrom("programs").where("business_unit_id", "=", unitId)),
  };
}

export async function countProgramHoldings(db: Kysely<DB>, programId: number): Promise<Holdings> {
  return {
    numbers: await count(db.selectFrom("phone_numbers").where("program_id", "=", programId)),
    users: 0,
    units: 0,
    programs: 0,
  };
}
