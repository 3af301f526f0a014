/**
 * A run longer than one of the PostgreSQL engine's slices (10,000 entries, postgres-run.ts):
 * lines whose outcome depends on earlier lines (a repeat, a number added or removed by the run)
 * sit in later slices than those lines, and each gets the outcome of one pass over the whole
 * file, as on SQLite. Run on both databases like every test file.
 */
import t, { type Test } from "tap";
import { resolveLevel } from "../../src/services/hierarchy/levels.js";
import { planRun, type RunContext } from "../../src/services/runs/bulk-runs.js";
import { RunWorkers } from "../../src/services/runs/threads/run-workers.js";
import { buildTestApp } from "../helpers/app.js";
import { callPurposeId, insertNumber, makeTree, portalAdmin } from "../helpers/fixtures.js";

/** Distinct valid numbers (Los Angeles 213 numbers), E.164. */
const numbers = (count: number) =>
  Array.from({ length: count }, (_, i) => `+1213${String(3_000_000 + i)}`);

/** The same number written as a US user types it. */
const national = (e164: string) => `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;

const fileOf = (lines: string[]) => new TextEncoder().encode(["phone_number", ...lines].join("\n"));

async function ground(t: Test) {
  const built = await buildTestApp();
  t.teardown(built.close);
  const { db } = built.database;
  const tree = await makeTree(db, "ACME");
  const other = await makeTree(db, "Globex");
  const user = await portalAdmin(db);
  const ctx = (kind: "unit" | "business"): Promise<RunContext> =>
    resolveLevel(db, user, kind, kind === "unit" ? tree.unitId : tree.businessId).then((level) => ({
      db,
      database: built.database,
      cache: built.app.readCache,
      user,
      level,
      defaultRegion: "US",
      source: "upload",
    }));
  const workers = new RunWorkers({ workers: 1 });
  t.teardown(() => workers.close());
  /** Line → code of each rejected line of the job. */
  const rejections = async (jobId: number) => {
    const rows = await db
      .selectFrom("job_outcomes")
      .select(["line", "code"])
      .where("job_id", "=", jobId)
      .orderBy("line")
      .execute();
    return Object.fromEntries(rows.map((row) => [Number(row.line), row.code]));
  };
  return { ...built, db, tree, other, ctx, workers, rejections };
}

t.test("outcomes across slices are those of one pass over the file", async (t) => {
  const { db, database, tree, other, ctx, workers, rejections } = await ground(t);
  const list = numbers(25_000);
  // Held before the run: one at the unit (entry 15,001 once the file's lines are in), one at
  // another business (entry 21,002).
  await insertNumber(db, list[14_999] as string, {
    businessId: tree.businessId,
    unitId: tree.unitId,
  });
  await insertNumber(db, list[20_999] as string, { businessId: other.businessId });
  const lines = [...list];
  // Entry 10,002 (second slice) repeats entry 2 written another way; entry 20,501 (third) is
  // no number; entry 24,001 repeats entry 12,001 (added by the second slice). Outcomes name
  // the file's lines: the header is line 1.
  lines.splice(10_001, 0, national(list[1] as string));
  lines.splice(20_500, 0, "not a number");
  lines.splice(24_000, 0, list[12_000] as string);
  const purpose = String(await callPurposeId(db, "customer_service"));

  const addPlan = await planRun(await ctx("unit"), "add", purpose);
  const added = await workers.run(
    database,
    { bytes: fileOf(lines), read: { maxEntries: 100_000 } },
    addPlan,
  );
  t.same(
    { total: added.total, succeeded: added.succeeded, rejected: added.rejected },
    { total: 25_003, succeeded: 24_998, rejected: 5 },
  );
  t.same(await rejections(added.jobId), {
    10003: "DUPLICATE_IN_LIST",
    15002: "ALREADY_HERE",
    20502: "INVALID_FORMAT",
    21003: "EXISTS_ELSEWHERE",
    24002: "DUPLICATE_IN_LIST",
  });
  const events = await db
    .selectFrom("audit_events")
    .select((eb) => [
      eb.fn.countAll<number>().as("all"),
      eb.fn.count<number>("subject_id").as("ids"),
    ])
    .where("action", "=", "number.add")
    .executeTakeFirstOrThrow();
  t.same(
    { all: Number(events.all), ids: Number(events.ids) },
    { all: 24_998, ids: 24_998 },
    "an event for every number added, each with the number's id",
  );
  const named = await db
    .selectFrom("audit_events as e")
    .innerJoin("phone_numbers as n", (join) =>
      join.onRef("n.id", "=", "e.subject_id").onRef("n.e164", "=", "e.phone_number"),
    )
    .select((eb) => eb.fn.countAll<number>().as("events"))
    .where("e.action", "=", "number.add")
    .executeTakeFirstOrThrow();
  t.equal(Number(named.events), 24_998, "the id is that of the number each event names");

  // Delete at the business: all but the one elsewhere, each once.
  const deletePlan = await planRun(await ctx("business"), "delete");
  const deleted = await workers.run(
    database,
    { bytes: fileOf(lines), read: { maxEntries: 100_000 } },
    deletePlan,
  );
  t.same(
    { total: deleted.total, succeeded: deleted.succeeded, rejected: deleted.rejected },
    { total: 25_003, succeeded: 24_999, rejected: 4 },
  );
  t.same(await rejections(deleted.jobId), {
    10003: "DUPLICATE_IN_LIST",
    20502: "INVALID_FORMAT",
    21003: "OUTSIDE_LEVEL",
    24002: "DUPLICATE_IN_LIST",
  });
  const left = await db.selectFrom("phone_numbers").select("e164").execute();
  t.same(
    left.map((row) => row.e164),
    [list[20_999]],
    "only the other business's number is left",
  );
});
