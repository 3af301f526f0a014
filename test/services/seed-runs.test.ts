/**
 * `npm run seed -- --numbers N` through runSeed on the lane's database: SQLite here, and in
 * the PostgreSQL lane (NUMBERDESK_TEST_DB=postgres) a fresh, never-migrated database loaded
 * with COPY. The same checks on both: exact counts, unique numbers, containment, the audit
 * event, and a second run that skips what the first added. (seed.test.ts covers SQLite's
 * writer in detail.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import t from "tap";
import { createDb } from "../../src/db/database.js";
import { ConflictError } from "../../src/domain/errors.js";
import { runSeed } from "../../src/services/ops/seed/run.js";
import { freshPostgresDatabase, onPostgres } from "../helpers/postgres.js";

async function emptyDatabase(t: Test): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-seed-runs-"));
  const empty = onPostgres ? await freshPostgresDatabase({ empty: true }) : null;
  t.teardown(async () => {
    await empty?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  return empty?.url ?? join(dir, "seed.db");
}

type Test = { teardown(fn: () => Promise<void> | void): void };

t.test("a bulk seed adds exactly N numbers, twice, skipping what is held", async (t) => {
  const url = await emptyDatabase(t);
  const progress: Array<[number, number]> = [];
  const first = await runSeed(url, { kind: "bulk", numbers: 3000 }, (inserted, total) =>
    progress.push([inserted, total]),
  );
  t.match(first, { businesses: 10, units: 200, programs: 2000, numbers: 3000 });
  t.same(progress.at(-1), [3000, 3000]);
  t.ok(first.databaseBytes > 0, "reports the database's size");

  const database = createDb(url);
  t.teardown(() => database.close());
  const count = async (query: ReturnType<typeof sql<{ n: number | string }>>) =>
    Number((await query.execute(database.db)).rows[0]?.n);

  t.equal(await count(sql`select count(*) as n from phone_numbers`), 3000);
  t.equal(await count(sql`select count(distinct e164) as n from phone_numbers`), 3000);
  t.equal(await count(sql`select count(*) as n from businesses`), 10);
  t.equal(await count(sql`select count(*) as n from programs`), 2000);
  t.ok(
    (await count(sql`select count(*) as n from phone_numbers where program_id is not null`)) > 2000,
    "most numbers are in programs",
  );
  t.ok(
    (await count(sql`select count(*) as n from phone_numbers where business_unit_id is null`)) >
      100,
    "some sit at business level",
  );
  t.equal(
    await count(sql`select count(*) as n from phone_numbers n join programs p on p.id = n.program_id
      where p.business_unit_id <> n.business_unit_id or p.business_id <> n.business_id`),
    0,
    "every number sits inside its program's unit and business",
  );
  t.equal(
    await count(sql`select count(*) as n from phone_numbers where e164 not like '+1__________'`),
    0,
  );

  // Walks a new random stretch of the same pool; what it meets already held it skips.
  const second = await runSeed(url, { kind: "bulk", numbers: 2000 });
  t.equal(second.numbers, 2000);
  t.equal(await count(sql`select count(*) as n from phone_numbers`), 5000);
  t.equal(await count(sql`select count(distinct e164) as n from phone_numbers`), 5000);
  t.equal(await count(sql`select count(*) as n from businesses`), 20, "names made free");

  const audit = await sql<{ summary: string; after_json: string }>`
    select summary, after_json from audit_events where action = 'seed.run' order by id
  `.execute(database.db);
  t.equal(audit.rows.length, 2, "one audit event per run");
  t.match(audit.rows[0]?.summary, /10 businesses, 200 business units, 2,000 programs, 3,000/);
  t.same(JSON.parse(audit.rows[1]?.after_json ?? "null"), {
    mode: "bulk",
    businesses: 10,
    units: 200,
    programs: 2000,
    numbers: 2000,
    skippedExisting: second.skippedExisting,
  });
});

if (onPostgres) {
  t.test("the demo says it runs on SQLite only, changing nothing", async (t) => {
    const url = await emptyDatabase(t);
    const refusal = await runSeed(url, { kind: "demo" }).then(
      () => null,
      (error: unknown) => error,
    );
    t.type(refusal, ConflictError);
    t.match(String(refusal), /--demo runs on SQLite only for now; on PostgreSQL use --numbers N/);
  });
}
