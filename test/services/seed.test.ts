import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import t from "tap";
import { createSqliteDb, type SqliteDb } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { validateDisplayName } from "../../src/domain/display-name.js";
import { programStatus } from "../../src/domain/duration.js";
import { ConflictError } from "../../src/domain/errors.js";
import { parseSeedArgs } from "../../src/services/ops/seed/args.js";
import { seedBulk } from "../../src/services/ops/seed/bulk.js";
import { DEMO_BUSINESSES, seedDemo } from "../../src/services/ops/seed/demo.js";
import { runSeed } from "../../src/services/ops/seed/run.js";

/** A migrated database in its own temporary folder, removed when the test ends. */
async function tempDatabase(t: {
  teardown(fn: () => Promise<void>): void;
}): Promise<{ database: SqliteDb; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-seed-"));
  const file = join(dir, "seed.db");
  const database = createSqliteDb(file);
  await migrateToLatest(database);
  t.teardown(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { database, file };
}

function all<T>(database: SqliteDb, sql: string, ...params: unknown[]): T[] {
  return database.handle.prepare(sql).all(...params) as T[];
}

function one<T>(database: SqliteDb, sql: string, ...params: unknown[]): T {
  return database.handle.prepare(sql).get(...params) as T;
}

/** Numbers that libphonenumber-js (full metadata) does not accept as valid E.164, if any. */
function invalidNumbers(database: SqliteDb): string[] {
  return all<{ e164: string }>(database, "select e164 from phone_numbers")
    .map((row) => row.e164)
    .filter((e164) => {
      const parsed = parsePhoneNumberFromString(e164);
      return !parsed?.isValid() || parsed.number !== e164 || !/^\+1\d{10}$/.test(e164);
    });
}

function captureError(work: () => unknown): Error | null {
  try {
    work();
    return null;
  } catch (error) {
    return error as Error;
  }
}

interface LevelCounts {
  total: number;
  distinct_e164: number;
  business: number;
  unit: number;
  program: number;
}

function levelCounts(database: SqliteDb): LevelCounts {
  return one<LevelCounts>(
    database,
    `select count(*) as total, count(distinct e164) as distinct_e164,
       sum(business_unit_id is null) as business,
       sum(business_unit_id is not null and program_id is null) as unit,
       sum(program_id is not null) as program
     from phone_numbers`,
  );
}

t.test(
  "the demo seeds three businesses, every program status and 2,000 valid numbers",
  async (t) => {
    const { database } = await tempDatabase(t);
    const now = new Date();
    const counts = seedDemo(database, { seed: 7, now });

    t.same(counts, { businesses: 3, units: 9, programs: 21, numbers: 2000, skippedExisting: 0 });
    const businesses = all<{ name: string; units: number }>(
      database,
      `select b.name, (select count(*) from business_units u where u.business_id = b.id) as units
     from businesses b order by b.id`,
    );
    t.same(
      businesses.map((b) => b.name),
      DEMO_BUSINESSES.map((b) => b.name),
    );
    for (const business of businesses) {
      t.ok(business.units >= 2 && business.units <= 4, `${business.name} has 2–4 units`);
    }

    const programs = all<{
      display_name: string;
      starts_on: string | null;
      ends_on: string | null;
    }>(database, "select display_name, starts_on, ends_on from programs");
    const statuses = programs.map((p) =>
      programStatus({ startsOn: p.starts_on, endsOn: p.ends_on }),
    );
    for (const status of ["active", "scheduled", "expired"] as const) {
      t.ok(statuses.includes(status), `some program is ${status}`);
    }
    t.ok(
      programs.some((p) => p.ends_on === null),
      "some program is open-ended",
    );
    t.same(
      programs.filter((p) => validateDisplayName(p.display_name) !== null),
      [],
      "every display name obeys the carriers' rule",
    );

    const levels = levelCounts(database);
    t.equal(levels.total, 2000);
    t.equal(levels.distinct_e164, 2000);
    t.ok(
      levels.business > 0 && levels.unit > 0 && levels.program > 0,
      "numbers at all three levels",
    );
    t.ok(levels.program > levels.unit + levels.business, "most numbers are in programs");
    t.same(invalidNumbers(database), [], "every number is valid E.164");
    t.same(all(database, "pragma foreign_key_check"), []);

    const purposes = one<{ n: number }>(
      database,
      "select count(distinct call_purpose_id) as n from phone_numbers",
    );
    t.ok(purposes.n >= 5, "numbers use several call purposes");

    const audit = all<{ action: string; actor_email: string; actor_user_id: number | null }>(
      database,
      "select action, actor_email, actor_user_id from audit_events",
    );
    t.same(audit, [{ action: "seed.run", actor_email: "seed", actor_user_id: null }]);
  },
);

t.test("the demo refuses to run twice and changes nothing", async (t) => {
  const { database } = await tempDatabase(t);
  seedDemo(database, { seed: 1 });
  const refusal = captureError(() => seedDemo(database, { seed: 2 }));
  t.type(refusal, ConflictError);
  t.match(refusal?.message, /already in this database \(business "Harborview Health Partners"/);
  t.equal(one<{ n: number }>(database, "select count(*) as n from businesses").n, 3);
  t.equal(levelCounts(database).total, 2000);
  t.equal(one<{ n: number }>(database, "select count(*) as n from audit_events").n, 1);
});

t.test("a bulk seed adds exactly N valid, unique numbers over 10 × 20 × 10 places", async (t) => {
  const { database } = await tempDatabase(t);
  const now = new Date();
  const progress: number[] = [];
  const counts = seedBulk(database, {
    numbers: 5000,
    seed: 11,
    now,
    onProgress: (inserted) => progress.push(inserted),
  });

  t.same(counts, { businesses: 10, units: 200, programs: 2000, numbers: 5000, skippedExisting: 0 });
  t.same(progress, [5000], "progress reports the last row");
  const shape = one<{ businesses: number; units: number; programs: number }>(
    database,
    `select (select count(*) from businesses) as businesses,
       (select count(*) from business_units) as units,
       (select count(*) from programs) as programs`,
  );
  t.same(shape, { businesses: 10, units: 200, programs: 2000 });
  t.same(
    all(
      database,
      "select business_id from business_units group by business_id having count(*) <> 20",
    ),
    [],
    "20 units in every business",
  );
  t.same(
    all(database, "select business_unit_id from programs group by 1 having count(*) <> 10"),
    [],
    "10 programs in every unit",
  );

  const levels = levelCounts(database);
  t.equal(levels.total, 5000);
  t.equal(levels.distinct_e164, 5000, "numbers are unique");
  t.ok(levels.program > 3500, `most numbers are in programs (${levels.program})`);
  t.ok(levels.unit > 300, `a share at unit level (${levels.unit})`);
  t.ok(levels.business > 200, `a share at business level (${levels.business})`);
  t.same(invalidNumbers(database), [], "every number is valid E.164");
  const areaCodes = one<{ n: number }>(
    database,
    "select count(distinct substr(e164, 3, 3)) as n from phone_numbers",
  );
  t.ok(areaCodes.n >= 8, `numbers in several area codes (${areaCodes.n})`);

  // The composite foreign keys enforce containment; check it both ways.
  t.same(all(database, "pragma foreign_key_check"), []);
  t.same(
    all(
      database,
      `select n.id from phone_numbers n join programs p on p.id = n.program_id
       where p.business_unit_id <> n.business_unit_id or p.business_id <> n.business_id`,
    ),
    [],
  );

  const spread = one<{ oldest: string; newest: string }>(
    database,
    "select min(created_at) as oldest, max(created_at) as newest from phone_numbers",
  );
  const dayMs = 24 * 60 * 60 * 1000;
  t.ok(Date.parse(spread.oldest) < now.getTime() - 600 * dayMs, "oldest numbers are ~2 years old");
  t.ok(Date.parse(spread.newest) > now.getTime() - 30 * dayMs, "newest numbers are recent");

  const programs = all<{ starts_on: string | null; ends_on: string | null }>(
    database,
    "select starts_on, ends_on from programs",
  );
  const statuses = new Set(
    programs.map((p) => programStatus({ startsOn: p.starts_on, endsOn: p.ends_on })),
  );
  t.same([...statuses].sort(), ["active", "expired", "scheduled"]);

  const audit = all<{ action: string; summary: string; after_json: string }>(
    database,
    "select action, summary, after_json from audit_events",
  );
  t.equal(audit.length, 1);
  t.equal(audit[0]?.action, "seed.run");
  t.match(
    audit[0]?.summary,
    /10 businesses, 200 business units, 2,000 programs, 5,000 phone numbers/,
  );
  t.same(JSON.parse(audit[0]?.after_json ?? "null"), { mode: "bulk", ...counts });
});

t.test("bulk runs on a filled database add N more, skipping numbers already held", async (t) => {
  const { database } = await tempDatabase(t);
  const now = new Date().toISOString();
  database.handle
    .prepare(
      `insert into users (email, role, created_at, updated_at)
       values ('ops@example.test', 'portal_admin', ?, ?)`,
    )
    .run(now, now);
  seedDemo(database, { seed: 3 });
  const first = seedBulk(database, { numbers: 4000, seed: 21 });
  // The same seed walks the same numbers again: every one of them is taken, so the run must
  // skip them all and still add 4,000 new ones.
  const second = seedBulk(database, { numbers: 4000, seed: 21 });

  t.equal(first.numbers, 4000);
  t.equal(second.numbers, 4000);
  t.equal(
    second.skippedExisting,
    4000 + first.skippedExisting,
    "the second run met every number the first run walked",
  );
  const levels = levelCounts(database);
  t.equal(levels.total, 2000 + 8000);
  t.equal(levels.distinct_e164, levels.total, "still unique portal-wide");
  t.same(invalidNumbers(database), []);
  t.same(all(database, "pragma foreign_key_check"), []);

  const names = all<{ name: string }>(database, "select name from businesses").map((b) => b.name);
  t.equal(names.length, 23);
  t.equal(new Set(names.map((n) => n.toLowerCase())).size, 23, "business names stay unique");
  t.ok(names.includes("Northwind Telecom") && names.includes("Northwind Telecom 2"));

  const audit = all<{ actor_email: string; actor_user_id: number | null }>(
    database,
    "select actor_email, actor_user_id from audit_events where action = 'seed.run'",
  );
  t.equal(audit.length, 3, "one audit event per run");
  t.ok(
    audit.every((a) => a.actor_email === "ops@example.test" && a.actor_user_id === 1),
    "runs are credited to the first portal admin",
  );
});

t.test("runSeed migrates, seeds and checkpoints the file it reports on", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-seed-run-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "nested", "run.db");
  const progress: Array<[number, number]> = [];
  const report = await runSeed(file, { kind: "bulk", numbers: 1500 }, (inserted, total) =>
    progress.push([inserted, total]),
  );
  t.equal(report.numbers, 1500);
  t.same(progress, [[1500, 1500]]);
  const walBytes = existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0;
  t.equal(walBytes, 0, "the log was folded into the main file");
  t.equal(report.databaseBytes, statSync(file).size);

  const demo = await runSeed(file, { kind: "demo" });
  t.equal(demo.numbers, 2000);
  const refusal = await runSeed(file, { kind: "demo" }).then(
    () => null,
    (error: unknown) => error,
  );
  t.type(refusal, ConflictError, "a second demo is refused");
});

t.test("parseSeedArgs reads --demo and --numbers and rejects the rest", async (t) => {
  t.same(parseSeedArgs(["--demo"]), { kind: "demo" });
  t.same(parseSeedArgs(["--numbers", "1000000"]), { kind: "bulk", numbers: 1_000_000 });
  t.same(parseSeedArgs(["--numbers=5000"]), { kind: "bulk", numbers: 5000 });
  t.same(parseSeedArgs(["--numbers", "1_000_000"]), { kind: "bulk", numbers: 1_000_000 });
  t.same(parseSeedArgs(["--numbers", "5,000,000"]), { kind: "bulk", numbers: 5_000_000 });
  t.same(parseSeedArgs(["--help"]), { kind: "help" });

  const rejected: Array<[string[], RegExp]> = [
    [[], /Choose --demo or --numbers/],
    [["--force"], /Unknown argument "--force"/],
    [["--numbers"], /needs a count/],
    [["--numbers", "abc"], /whole number/],
    [["--numbers", "12.5"], /whole number/],
    [["--numbers", "-3"], /whole number/],
    [["--numbers", "0"], /from 1 to 5,000,000/],
    [["--numbers", "5000001"], /from 1 to 5,000,000/],
    [["--numbers", "10", "--numbers", "20"], /only once/],
    [["--demo", "--numbers", "10"], /not both/],
  ];
  for (const [argv, message] of rejected) {
    const result = parseSeedArgs(argv);
    t.equal(result.kind, "invalid", `rejects ${JSON.stringify(argv)}`);
    t.match(result.kind === "invalid" ? result.message : "", message);
  }
});
