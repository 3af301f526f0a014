/**
 * Migrations on PostgreSQL: two instances starting at once on an empty database migrate it
 * once (the advisory lock), and a database whose collation would make names and sort order
 * differ from SQLite's is refused before anything is written. Starts the throwaway cluster
 * itself, whichever lane the suite is in.
 */
import { sql } from "kysely";
import pg from "pg";
import t from "tap";
import { createDb } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { freshPostgresDatabase, testCluster } from "../helpers/postgres.js";

t.test("two instances migrating one empty database at once: it is migrated once", async (t) => {
  const target = await freshPostgresDatabase({ empty: true });
  t.teardown(() => target.drop());
  const first = createDb(target.url);
  const second = createDb(target.url);
  t.teardown(() => Promise.all([first.close(), second.close()]));
  const applied = await Promise.all([migrateToLatest(first), migrateToLatest(second)]);
  t.same(
    applied.flat(),
    ["2026-12-02-01-baseline", "2026-12-03-01-rate-limits"],
    "one of them applied every migration",
  );
  const { rows } = await sql<{ n: number }>`select count(*) as n from call_purposes`.execute(
    first.db,
  );
  t.equal(rows[0]?.n, 11, "the seeded call purposes once, counted as a number");
});

t.test("a database not in the C collation is refused, with how to create it", async (t) => {
  const name = `numberdesk_test_collation_${process.pid}`;
  const admin = new pg.Client({ connectionString: testCluster() });
  await admin.connect();
  t.teardown(async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  await admin.query(
    `create database ${name} template template0 encoding 'UTF8' lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8'`,
  );
  const url = new URL(testCluster());
  url.pathname = `/${name}`;
  const database = createDb(url.toString());
  t.teardown(() => database.close());
  await t.rejects(migrateToLatest(database), {
    message: /must be UTF8 with the C collation .*LOCALE 'C'/,
  });
  const { rows } = await sql<{ n: number }>`
    select count(*) as n from information_schema.tables
    where table_schema = 'public' and table_name not like 'kysely%'
  `.execute(database.db);
  t.equal(rows[0]?.n, 0, "nothing was created");
});
