import type { Test } from "tap";
import { today } from "../../src/domain/duration.js";
import { resolveLevel } from "../../src/services/hierarchy/levels.js";
import { createProgram } from "../../src/services/hierarchy/programs.js";
import { plusDays } from "../../src/services/overview/expiring.js";
import { callPurposeId, insertNumber, portalAdmin } from "./fixtures.js";
import { buildTwoTenants } from "./tenants.js";

/**
 * Ground for the Overview: ACME's unit holds its usual program (active, open-ended) plus one
 * ending in 10 days, one that ended last month and one that starts next month; numbers sit in
 * each, two more at the unit without a program, one at business level with another purpose.
 * Globex has one number (it must never show in ACME's counts).
 */
export async function buildOverviewGround(t: Test) {
  const built = await buildTwoTenants(t);
  const { db } = built.database;
  const { acme, globex } = built;
  const admin = await portalAdmin(db);
  const unit = await resolveLevel(db, admin, "unit", acme.unitId);
  const on = today();
  const purpose = String(await callPurposeId(db, "customer_service"));
  const program = (name: string, starts_on: string, ends_on: string) =>
    createProgram(db, admin, unit, {
      name,
      display_name: name,
      call_purpose: purpose,
      starts_on,
      ends_on,
    });
  const ending = await program("Ending Soon", plusDays(on, -30), plusDays(on, 10));
  const ended = await program("Ended", plusDays(on, -90), plusDays(on, -20));
  const later = await program("Later", plusDays(on, 30), plusDays(on, 200));
  const place = (programId: number | null) => ({
    businessId: acme.businessId,
    unitId: acme.unitId,
    programId,
  });
  let next = 2133734200;
  const add = async (n: number, where: ReturnType<typeof place> | { businessId: number }) => {
    for (let i = 0; i < n; i++) await insertNumber(db, `+1${next++}`, where);
  };
  await add(3, place(acme.programId)); // active
  await add(2, place(ending.id)); // active, ending in 10 days
  await add(1, place(ended.id)); // expired
  await add(1, place(later.id)); // scheduled
  await add(2, place(null)); // unassigned, in the unit
  await db
    .insertInto("phone_numbers")
    .values({
      e164: "+13107284411",
      business_id: acme.businessId,
      business_unit_id: null,
      program_id: null,
      call_purpose_id: await callPurposeId(db, "survey"),
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    })
    .execute(); // unassigned, business level, Survey
  await insertNumber(db, "+12133739999", { businessId: globex.businessId, unitId: globex.unitId });
  return { ...built, on, ending, ended, later };
}
