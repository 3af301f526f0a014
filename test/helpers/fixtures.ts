import type { Kysely } from "kysely";
import type { DB } from "../../src/db/database.js";
import type { CurrentUser } from "../../src/domain/permissions.js";
import { createBusiness } from "../../src/services/hierarchy/businesses.js";
import { resolveLevel } from "../../src/services/hierarchy/levels.js";
import { createProgram } from "../../src/services/hierarchy/programs.js";
import { createUnit } from "../../src/services/hierarchy/units.js";
import { toCurrentUser } from "../../src/services/people/users.js";

/** The portal admin the app created at start (the acting user until sign-in lands). */
export async function portalAdmin(db: Kysely<DB>): Promise<CurrentUser> {
  const row = await db
    .selectFrom("users")
    .selectAll()
    .where("role", "=", "portal_admin")
    .executeTakeFirstOrThrow();
  return toCurrentUser(row);
}

export async function callPurposeId(db: Kysely<DB>, code: string): Promise<number> {
  const row = await db
    .selectFrom("call_purposes")
    .select("id")
    .where("code", "=", code)
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface Tree {
  businessId: number;
  unitId: number;
  programId: number;
}

/** A business with one unit and one program in it, made through the services. */
export async function makeTree(db: Kysely<DB>, prefix = "ACME"): Promise<Tree> {
  const admin = await portalAdmin(db);
  const business = await createBusiness(db, admin, { name: `${prefix} Corp` });
  const unit = await createUnit(db, admin, business, { name: "Billing" });
  const unitLevel = await resolveLevel(db, admin, "unit", unit.id);
  const program = await createProgram(db, admin, unitLevel, {
    name: "Q4 Reminders",
    display_name: `${prefix} Billing`,
    call_purpose: String(await callPurposeId(db, "customer_service")),
    starts_on: "2026-01-01",
    ends_on: "",
  });
  return { businessId: business.id, unitId: unit.id, programId: program.id };
}

/** Puts a phone number straight into the table (numbers get their own screens later). */
export async function insertNumber(
  db: Kysely<DB>,
  e164: string,
  place: { businessId: number; unitId?: number | null; programId?: number | null },
): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto("phone_numbers")
    .values({
      e164,
      business_id: place.businessId,
      business_unit_id: place.unitId ?? null,
      program_id: place.programId ?? null,
      call_purpose_id: await callPurposeId(db, "customer_service"),
      created_at: now,
      updated_at: now,
    })
    .execute();
}

/** The id of the number stored as `e164`; throws when there is none. */
export async function numberId(db: Kysely<DB>, e164: string): Promise<number> {
  const row = await db
    .selectFrom("phone_numbers")
    .select("id")
    .where("e164", "=", e164)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** True when the portal holds the number stored as `e164`. */
export async function hasNumber(db: Kysely<DB>, e164: string): Promise<boolean> {
  const row = await db
    .selectFrom("phone_numbers")
    .select("id")
    .where("e164", "=", e164)
    .executeTakeFirst();
  return row !== undefined;
}

export async function countRows(
  db: Kysely<DB>,
  table:
    | "businesses"
    | "business_units"
    | "programs"
    | "call_purposes"
    | "audit_events"
    | "phone_numbers"
    | "jobs",
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
