import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { NewProgram, Program, ProgramUpdate } from "../db/tables/hierarchy.js";

export interface ProgramRow extends Program {
  unit_name: string;
  call_purpose_name: string;
  number_count: number;
}

export interface ProgramFilter {
  businessId: number;
  unitId: number | null;
}

/** A program with what its list row and page show: its unit, purpose and number count. */
function selectProgramRows(db: Kysely<DB>) {
  return db
    .selectFrom("programs as p")
    .innerJoin("business_units as u", "u.id", "p.business_unit_id")
    .innerJoin("call_purposes as cp", "cp.id", "p.default_call_purpose_id")
    .selectAll("p")
    .select(["u.name as unit_name", "cp.name as call_purpose_name"])
    .select((eb) =>
      eb
        .selectFrom("phone_numbers")
        .whereRef("phone_numbers.program_id", "=", "p.id")
        .select(eb.fn.countAll<number>().as("n"))
        .as("number_count"),
    );
}

/** Programs of a business or of one unit. */
export function listPrograms(db: Kysely<DB>, filter: ProgramFilter): Promise<ProgramRow[]> {
  let query = selectProgramRows(db)
    .where("p.business_id", "=", filter.businessId)
    .orderBy("u.name")
    .orderBy("p.name");
  if (filter.unitId !== null) query = query.where("p.business_unit_id", "=", filter.unitId);
  return query.execute() as Promise<ProgramRow[]>;
}

export function findProgram(db: Kysely<DB>, id: number): Promise<Program | undefined> {
  return db.selectFrom("programs").selectAll().where("id", "=", id).executeTakeFirst();
}

/** One program with what its page shows. */
export function findProgramRow(db: Kysely<DB>, id: number): Promise<ProgramRow | undefined> {
  return selectProgramRows(db).where("p.id", "=", id).executeTakeFirst() as Promise<
    ProgramRow | undefined
  >;
}

export function findProgramByName(
  db: Kysely<DB>,
  unitId: number,
  name: string,
): Promise<Program | undefined> {
  return db
    .selectFrom("programs")
    .selectAll()
    .where("business_unit_id", "=", unitId)
    .where((eb) => eb(eb.fn("lower", ["name"]), "=", name.toLowerCase()))
    .executeTakeFirst();
}

export function insertProgram(db: Kysely<DB>, values: NewProgram): Promise<Program> {
  return db.insertInto("programs").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateProgram(
  db: Kysely<DB>,
  id: number,
  values: ProgramUpdate,
): Promise<void> {
  await db.updateTable("programs").set(values).where("id", "=", id).execute();
}

export async function deleteProgram(db: Kysely<DB>, id: number): Promise<void> {
  await db.deleteFrom("programs").where("id", "=", id).execute();
}
