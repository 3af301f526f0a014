import type { Test } from "tap";
import { buildTestApp } from "./app.js";
import { insertNumber, makeTree } from "./fixtures.js";
import { userAgent } from "./users.js";

/**
 * The portal with two tenants, ACME and Globex, each a business with one unit ("Billing")
 * and one program ("Q4 Reminders"): the usual ground for tests that must show one tenant
 * never sees the other. Closed when the test ends.
 */
export async function buildTwoTenants(t: Test) {
  const built = await buildTestApp();
  t.teardown(built.close);
  const acme = await makeTree(built.database.db, "ACME");
  const globex = await makeTree(built.database.db, "Globex");
  return { ...built, acme, globex };
}

/**
 * Ground for add/delete runs: the two tenants with ACME numbers in its program, at its unit
 * and at business level, one Globex number, an editor of ACME (who must never see Globex's),
 * and a reader of a job's outcomes.
 */
export async function buildRunGround(t: Test) {
  const built = await buildTwoTenants(t);
  const { db } = built.database;
  const { acme, globex } = built;
  await insertNumber(db, "+12133734253", {
    businessId: acme.businessId,
    unitId: acme.unitId,
    programId: acme.programId,
  });
  await insertNumber(db, "+12133734254", { businessId: acme.businessId, unitId: acme.unitId });
  await insertNumber(db, "+13107284411", { businessId: acme.businessId });
  await insertNumber(db, "+12133739999", { businessId: globex.businessId, unitId: globex.unitId });
  const outcomes = async (jobId: number) =>
    db
      .selectFrom("job_outcomes")
      .select(["line", "input", "e164", "outcome", "code", "message"])
      .where("job_id", "=", jobId)
      .orderBy("line")
      .execute();
  const editor = (
    await userAgent(built.app, db, "ed@acme.test", "editor", `business:${acme.businessId}`)
  ).agent;
  return { ...built, outcomes, editor };
}

/** The job id a run's 303 points to. */
export const jobIdOf = (location: unknown): number =>
  Number(/\/jobs\/(\d+)$/.exec(String(location))?.[1]);
