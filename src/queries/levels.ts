import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { Level, LevelKind, NamedRef } from "../domain/levels.js";

/** Loads a level with its ancestors' names, or undefined when the id does not exist. */
export async function findLevel(
  db: Kysely<DB>,
  kind: LevelKind,
  id: number,
): Promise<Level | undefined> {
  if (kind === "business") {
    const b = await db
      .selectFrom("businesses")
      .select(["id", "name"])
      .where("id", "=", id)
      .executeTakeFirst();
    return b && { kind, id, business: b, unit: null, program: null };
  }
  if (kind === "unit") {
    const u = await db
      .selectFrom("business_units as u")
      .innerJoin("businesses as b", "b.id", "u.business_id")
      .select([
        "u.id as unit_id",
        "u.name as unit_name",
        "b.id as business_id",
        "b.name as business_name",
      ])
      .where("u.id", "=", id)
      .executeTakeFirst();
    return (
      u && {
        kind,
        id,
        business: { id: u.business_id, name: u.business_name },
        unit: { id: u.unit_id, name: u.unit_name },
        program: null,
      }
    );
  }
  const p = await db
    .selectFrom("programs as p")
    .innerJoin("business_units as u", "u.id", "p.business_unit_id")
    .innerJoin("businesses as b", "b.id", "p.business_id")
    .select([
      "p.id as program_id",
      "p.name as program_name",
      "u.id as unit_id",
      "u.name as unit_name",
      "b.id as business_id",
      "b.name as business_name",
    ])
    .where("p.id", "=", id)
    .executeTakeFirst();
  return (
    p && {
      kind,
      id,
      business: { id: p.business_id, name: p.business_name },
      unit: { id: p.unit_id, name: p.unit_name },
      program: { id: p.program_id, name: p.program_name },
    }
  );
}

/** Names for the level switcher's menus: siblings at each step of the breadcrumb. */
export function listBusinessRefs(db: Kysely<DB>, onlyId: number | null): Promise<NamedRef[]> {
  let query = db.selectFrom("businesses").select(["id", "name"]).orderBy("name");
  if (onlyId !== null) query = query.where("id", "=", onlyId);
  return query.execute();
}

export function listUnitRefs(
  db: Kysely<DB>,
  businessId: number,
  onlyId: number | null,
): Promise<NamedRef[]> {
  let query = db
    .selectFrom("business_units")
    .select(["id", "name"])
    .where("business_id", "=", businessId)
    .orderBy("name");
  if (onlyId !== null) query = query.where("id", "=", onlyId);
  return query.execute();
}

export function listProgramRefs(db: Kysely<DB>, unitId: number): Promise<NamedRef[]> {
  return db
    .selectFrom("programs")
    .select(["id", "name"])
    .where("business_unit_id", "=", unitId)
    .orderBy("name")
    .execute();
}
