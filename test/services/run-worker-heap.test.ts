/**
 * THE SLOW ONE (about 20–30 s on a loaded machine): an upload adding 100,000 new numbers runs
 * through the upload worker within its heap caps (run-workers.ts WORKER_HEAP), on SQLite and
 * on PostgreSQL (issue 14: on PostgreSQL it once died with ERR_WORKER_OUT_OF_MEMORY, each added
 * number held as a row with a hidden class of its own).
 *
 * The run is made from a plain `node` child on the sources compiled as in dist: the tests'
 * own process would lend the worker its TypeScript loader (about 35 MiB of heap) and the
 * looser caps thread-heap.ts gives threads loaded through it.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { resolveLevel } from "../../src/services/hierarchy/levels.js";
import { planRun, type RunContext } from "../../src/services/runs/bulk-runs.js";
import type { RunSummary } from "../../src/services/runs/run-plan.js";
import { buildTestApp } from "../helpers/app.js";
import { compiledPortal } from "../helpers/compiled-sources.js";
import { callPurposeId, countRows, makeTree, portalAdmin } from "../helpers/fixtures.js";

/** Runs task.json's plan over 100,000 new numbers, uploaded as a file, and prints the answer. */
const CHILD = `
import { readFileSync } from "node:fs";
import { createDb } from "./src/db/database.js";
import { RunWorkers } from "./src/services/runs/threads/run-workers.js";

const task = JSON.parse(readFileSync(new URL("./task.json", import.meta.url), "utf8"));
const database = createDb(task.databaseUrl);
const workers = new RunWorkers({ workers: 1, timeoutMs: 120000 });
const lines = ["phone_number"];
for (let i = 0; i < 100000; i++) lines.push("+1213" + String(3000000 + i));
const bytes = new TextEncoder().encode(lines.join("\\r\\n"));
const started = performance.now();
let answer;
try {
  const summary = await workers.run(database, { bytes, read: { maxEntries: 100000 } }, task.plan);
  answer = { summary, ms: Math.round(performance.now() - started) };
} catch (error) {
  answer = { failure: String(error.code ?? "") + " " + error.message };
}
await workers.close();
await database.close();
process.stdout.write(JSON.stringify(answer));
`;

t.test("an add of 100,000 new numbers fits the upload worker's heap", async (t) => {
  const built = await buildTestApp();
  t.teardown(built.close);
  const { db } = built.database;
  const tree = await makeTree(db, "ACME");
  const user = await portalAdmin(db);
  const ctx: RunContext = {
    db,
    database: built.database,
    cache: built.app.readCache,
    user,
    level: await resolveLevel(db, user, "unit", tree.unitId),
    defaultRegion: "US",
    source: "upload",
  };
  const plan = await planRun(ctx, "add", String(await callPurposeId(db, "customer_service")));
  const { dir, remove } = compiledPortal();
  t.teardown(remove);
  writeFileSync(join(dir, "task.json"), JSON.stringify({ plan, databaseUrl: built.databaseUrl }));
  writeFileSync(join(dir, "run.mjs"), CHILD);

  // Without the tests' loader and its options: as `npm start` runs the portal.
  const output = execFileSync(process.execPath, [join(dir, "run.mjs")], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  const answer = JSON.parse(output) as { summary?: RunSummary; ms?: number; failure?: string };
  t.notOk(answer.failure, `the run went through (${answer.failure ?? "no failure"})`);
  t.same(answer.summary && { total: answer.summary.total, succeeded: answer.summary.succeeded }, {
    total: 100_000,
    succeeded: 100_000,
  });
  t.comment(`${built.database.kind}: the worker added 100,000 numbers in ${answer.ms} ms`);
  t.equal(await countRows(db, "phone_numbers"), 100_000);
  // Each number's event names the number it added, by its id.
  const events = await db
    .selectFrom("audit_events as e")
    .innerJoin("phone_numbers as n", "n.id", "e.subject_id")
    .select((eb) => eb.fn.countAll<number | string>().as("count"))
    .where("e.action", "=", "number.add")
    .whereRef("n.e164", "=", "e.phone_number")
    .executeTakeFirstOrThrow();
  t.equal(Number(events.count), 100_000, "every added number's event carries its id");
});
