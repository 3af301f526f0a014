import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import t from "tap";
import { migrationsFor } from "../../migrations/index.js";
import { createDb } from "../../src/db/database.js";
import { checkReadiness } from "../../src/services/ops/readiness.js";
import { buildTestApp } from "../helpers/app.js";
import { freshPostgresDatabase, onPostgres } from "../helpers/postgres.js";

const database = onPostgres ? "PostgreSQL" : "SQLite";

t.test("/healthz and /readyz answer without sign-in and are never cached", async (t) => {
  const { app, close } = await buildTestApp({}, undefined, { signIn: false });
  t.teardown(close);
  const health = await app.inject({ url: "/healthz" });
  t.equal(health.statusCode, 200);
  t.same(health.json(), { status: "ok" });
  t.equal(health.headers["cache-control"], "no-store");
  const ready = await app.inject({ url: "/readyz" });
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: "ready" });
  t.equal(ready.headers["cache-control"], "no-store");
});

t.test("/readyz is 503 while a migration is pending, naming it", async (t) => {
  const { app, database: open, close } = await buildTestApp({}, undefined, { signIn: false });
  t.teardown(close);
  const last = Object.keys(migrationsFor(open.kind)).sort().at(-1) as string;
  // As if this code were newer than the schema: its last migration has not run.
  await sql`delete from kysely_migration where name = ${last}`.execute(open.db);
  const res = await app.inject({ url: "/readyz" });
  t.equal(res.statusCode, 503);
  t.same(res.json(), {
    status: "unavailable",
    reason: `1 ${database} migration is pending (${last}): run npm run migrate`,
  });
  t.equal(res.headers["cache-control"], "no-store");
});

t.test("/readyz is 503 when the database does not answer", async (t) => {
  const { app, database: open, close } = await buildTestApp({}, undefined, { signIn: false });
  t.teardown(close);
  await open.db.destroy();
  const res = await app.inject({ url: "/readyz" });
  t.equal(res.statusCode, 503);
  t.same(res.json(), {
    status: "unavailable",
    reason: `the ${database} database does not answer`,
  });
});

t.test("a database never migrated has every migration pending", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-ready-"));
  const empty = onPostgres ? await freshPostgresDatabase({ empty: true }) : null;
  const open = createDb(empty?.url ?? join(dir, "empty.db"));
  t.teardown(async () => {
    await open.close();
    await empty?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const all = Object.keys(migrationsFor(open.kind)).sort();
  const readiness = await checkReadiness(open);
  t.same(readiness, {
    ready: false,
    reason: `${all.length} ${database} migration${all.length === 1 ? " is" : "s are"} pending (${all.join(", ")}): run npm run migrate`,
  });
  // Asking created nothing: the migrations still run from scratch afterwards.
  const tables = onPostgres
    ? await sql<{ n: string }>`select count(*) as n from information_schema.tables
        where table_schema = 'public'`.execute(open.db)
    : await sql<{
        n: number;
      }>`select count(*) as n from sqlite_master where type = 'table'`.execute(open.db);
  t.equal(Number(tables.rows[0]?.n), 0);
});

t.test("a PostgreSQL server that is not there is not ready, and the URL is not told", async (t) => {
  // Port 1 on the loopback: nothing listens, the connection is refused at once.
  const open = createDb("postgres://numberdesk:s3cret-pass@127.0.0.1:1/numberdesk");
  t.teardown(() => open.close());
  const readiness = await checkReadiness(open);
  t.same(readiness, { ready: false, reason: "the PostgreSQL database does not answer" });
  t.notMatch(JSON.stringify(readiness), /s3cret|numberdesk:/);
});
