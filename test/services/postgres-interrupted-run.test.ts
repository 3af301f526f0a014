/**
 * Issue 14: a PostgreSQL backend killed in the middle of a run (pg_terminate_backend, as an
 * administrator or a failover would) loses nothing and changes nothing: the server rolls the
 * run's one transaction back, and the run says so (503, UnavailableError) instead of
 * failing with an unexplained 500. Starts the throwaway cluster itself, whichever lane.
 */
import { sql } from "kysely";
import t from "tap";
import { UnavailableError } from "../../src/domain/errors.js";
import { resolveLevel } from "../../src/services/hierarchy/levels.js";
import { entriesFromText, planRun, type RunContext } from "../../src/services/runs/bulk-runs.js";
import { RUN_INTERRUPTED } from "../../src/services/runs/postgres-run.js";
import { RunWorkers } from "../../src/services/runs/threads/run-workers.js";
import { buildTestApp } from "../helpers/app.js";
import { callPurposeId, countRows, makeTree, portalAdmin } from "../helpers/fixtures.js";
import { freshPostgresDatabase } from "../helpers/postgres.js";

t.test("a run whose backend is terminated rolls back whole and says so", async (t) => {
  const target = await freshPostgresDatabase();
  t.teardown(() => target.drop());
  const built = await buildTestApp({ databaseUrl: target.url });
  t.teardown(built.close);
  const { db } = built.database;
  const tree = await makeTree(db, "ACME");
  const user = await portalAdmin(db);
  const purpose = await callPurposeId(db, "customer_service");
  const now = new Date().toISOString();
  await sql`
    insert into phone_numbers (e164, business_id, call_purpose_id, created_at, updated_at)
    select '+1213' || (4000000 + g)::text, ${tree.businessId}, ${purpose}, ${now}, ${now}
    from generate_series(0, 99999) g
  `.execute(db);
  const before = await countRows(db, "phone_numbers");
  t.equal(before, 100_000);

  const ctx: RunContext = {
    db,
    database: built.database,
    cache: built.app.readCache,
    user,
    level: await resolveLevel(db, user, "business", tree.businessId),
    defaultRegion: "US",
    source: "upload",
  };
  const workers = new RunWorkers({ workers: 1 });
  t.teardown(() => workers.close());
  const plan = await planRun(ctx, "delete");
  const numbers = Array.from({ length: 100_000 }, (_, i) => `+1213${4_000_000 + i}`);
  const run = workers.run(built.database, { entries: entriesFromText(numbers.join("\n")) }, plan);
  const outcome = run.then(
    () => null,
    (error: unknown) => error,
  );

  // The run's own connection, found as it works (its statements name phone_numbers).
  let killed = false;
  for (let tries = 0; tries < 2_000 && !killed; tries++) {
    const { rows } = await sql<{ ended: boolean }>`
      select pg_terminate_backend(pid) as ended from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and state = 'active'
        and backend_type = 'client backend' and query ilike '%phone_numbers%'
    `.execute(db);
    killed = rows.some((row) => row.ended);
    if (!killed) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  t.ok(killed, "the run's backend was terminated mid-run");

  const error = await outcome;
  t.type(error, UnavailableError, String(error));
  t.equal((error as Error).message, RUN_INTERRUPTED);
  t.equal(await countRows(db, "phone_numbers"), before, "every number is still there");
  t.equal(await countRows(db, "jobs"), 0, "no job was recorded");
  const removals = await db
    .selectFrom("audit_events")
    .select("id")
    .where("action", "=", "number.remove")
    .execute();
  t.equal(removals.length, 0, "no removal was logged");

  // The portal goes on: the next run works.
  const next = await workers.run(
    built.database,
    { entries: entriesFromText(numbers.slice(0, 3).join("\n")) },
    plan,
  );
  t.equal(next.succeeded, 3);
});
