import { sql } from "kysely";
import t from "tap";
import { buildTestApp } from "../helpers/app.js";

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

t.test("/readyz is 503 while a migration is pending", async (t) => {
  const { app, database, close } = await buildTestApp({}, undefined, { signIn: false });
  t.teardown(close);
  // As if this code were newer than the schema: its last migration has not run.
  await sql`delete from kysely_migration where name = (select max(name) from kysely_migration)`.execute(
    database.db,
  );
  const res = await app.inject({ url: "/readyz" });
  t.equal(res.statusCode, 503);
  t.same(res.json(), { status: "unavailable" });
  t.equal(res.headers["cache-control"], "no-store");
});

t.test("/readyz is 503 when the database does not answer", async (t) => {
  const { app, database, close } = await buildTestApp({}, undefined, { signIn: false });
  t.teardown(close);
  await database.db.destroy();
  const res = await app.inject({ url: "/readyz" });
  t.equal(res.statusCode, 503);
  t.same(res.json(), { status: "unavailable" });
});
