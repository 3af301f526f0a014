import type { Test } from "tap";
import type { EntryOutcome } from "../../src/db/tables/jobs.js";
import { eachOutcome, findJob } from "../../src/queries/jobs.js";
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
  /** Every outcome of the job, by line: its rejections' rows and its packed successes. */
  const outcomes = async (jobId: number) => {
    const job = await findJob(db, jobId);
    if (job === undefined) throw new Error(`no job ${jobId}`);
    const all: EntryOutcome[] = [];
    for await (const outcome of eachOutcome(db, job)) all.push(outcome);
    return all;
  };
  const editor = (
    await userAgent(built.app, db, "ed@acme.test", "editor", `business:${acme.businessId}`)
  ).agent;
  return { ...built, outcomes, editor };
}

/** The job id a run's 303 points to. */
export const jobIdOf = (location: unknown): number =>
  Number(/\/jobs\/(\d+)$/.exec(String(location))?.[1]);
