import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t, { type Test } from "tap";
import { createSqliteDb } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";

async function freshDb(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-schema-"));
  const database = createSqliteDb(join(dir, "schema.db"));
  await migrateToLatest(database);
  t.teardown(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return database;
}

const now = "2026-11-27T00:00:00.000Z";
const stamp = { created_at: now, updated_at: now };

t.test(
  "the connection keeps data safe: WAL, synchronous=FULL, foreign keys, busy timeout",
  async (t) => {
    const { handle } = await freshDb(t);
    t.equal(handle.pragma("journal_mode", { simple: true }), "wal");
    t.equal(handle.pragma("synchronous", { simple: true }), 2, "FULL");
    t.equal(handle.pragma("foreign_keys", { simple: true }), 1);
    t.equal(handle.pragma("busy_timeout", { simple: true }), 5000);
  },
);

t.test("every table is STRICT and migrating twice is a no-op", async (t) => {
  const database = await freshDb(t);
  const { handle } = database;
  const tables = handle
    .prepare(
      "select name, strict from pragma_table_list where schema = 'main' and name not like 'sqlite_%' and name not like 'kysely_%'",
    )
    .all() as Array<{ name: string; strict: number }>;
  t.same(tables.map((row) => row.name).sort(), [
    "api_tokens",
    "audit_events",
    "business_units",
    "businesses",
    "call_purposes",
    "job_outcomes",
    "job_successes",
    "jobs",
    "phone_numbers",
    "programs",
    "rate_limits",
    "recovery_codes",
    "server_secrets",
    "sessions",
    "sign_in_challenges",
    "two_factor",
    "two_factor_rules",
    "users",
  ]);
  for (const row of tables) t.equal(row.strict, 1, `${row.name} is STRICT`);
  t.same(await migrateToLatest(database), [], "nothing left to apply");
});

t.test("the database itself enforces containment and uniqueness of numbers", async (t) => {
  const { db } = await freshDb(t);
  const acme = await db
    .insertInto("businesses")
    .values({ name: "ACME", ...stamp })
    .returning("id")
    .executeTakeFirstOrThrow();
  const globex = await db
    .insertInto("businesses")
    .values({ name: "Globex", ...stamp })
    .returning("id")
    .executeTakeFirstOrThrow();
  const billing = await db
    .insertInto("business_units")
    .values({ business_id: acme.id, name: "Billing", ...stamp })
    .returning("id")
    .executeTakeFirstOrThrow();
  const sales = await db
    .insertInto("business_units")
    .values({ business_id: globex.id, name: "Sales", ...stamp })
    .returning("id")
    .executeTakeFirstOrThrow();
  const program = await db
    .insertInto("programs")
    .values({
      business_id: acme.id,
      business_unit_id: billing.id,
      name: "Q4",
      display_name: "ACME",
      default_call_purpose_id: 1,
      starts_on: null,
      ends_on: null,
      ...stamp,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const number = (
    e164: string,
    business_id: number,
    business_unit_id: number | null,
    program_id: number | null,
  ) =>
    db
      .insertInto("phone_numbers")
      .values({ e164, business_id, business_unit_id, program_id, call_purpose_id: 1, ...stamp })
      .execute();

  await number("+12133734253", acme.id, billing.id, program.id);
  await t.rejects(
    number("+12133734254", globex.id, billing.id, null),
    { code: "SQLITE_CONSTRAINT_FOREIGNKEY" },
    "a unit of another business",
  );
  await t.rejects(number("+12133734255", acme.id, sales.id, null), {
    code: "SQLITE_CONSTRAINT_FOREIGNKEY",
  });
  await t.rejects(
    number("+12133734256", globex.id, sales.id, program.id),
    { code: "SQLITE_CONSTRAINT_FOREIGNKEY" },
    "a program of another unit",
  );
  await t.rejects(
    number("+12133734257", acme.id, null, program.id),
    { code: "SQLITE_CONSTRAINT_CHECK" },
    "a program without its unit",
  );
  await t.rejects(
    number("+12133734253", globex.id, null, null),
    { code: "SQLITE_CONSTRAINT_UNIQUE" },
    "a number has one home",
  );
  await t.rejects(
    db
      .insertInto("programs")
      .values({
        business_id: globex.id,
        business_unit_id: billing.id,
        name: "X",
        display_name: "X",
        default_call_purpose_id: 1,
        starts_on: null,
        ends_on: null,
        ...stamp,
      })
      .execute(),
    { code: "SQLITE_CONSTRAINT_FOREIGNKEY" },
    "a program's unit belongs to its business",
  );
  await t.rejects(
    db
      .insertInto("programs")
      .values({
        business_id: acme.id,
        business_unit_id: billing.id,
        name: "Y",
        display_name: "Y",
        default_call_purpose_id: 1,
        starts_on: "2026-05-01",
        ends_on: "2026-04-01",
        ...stamp,
      })
      .execute(),
    { code: "SQLITE_CONSTRAINT_CHECK" },
    "ends_on before starts_on",
  );
  await t.rejects(
    db
      .insertInto("businesses")
      .values({ name: "acme", ...stamp })
      .execute(),
    { code: "SQLITE_CONSTRAINT_UNIQUE" },
    "names are unique whatever their case",
  );
});
