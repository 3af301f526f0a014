/** Node 24 must get the Node-API build of better-sqlite3, older Node.js the 12.x build. */
import { createRequire } from "node:module";
import t from "tap";
import { needsNodeApiBuild, SqliteDatabase } from "../../src/db/sqlite/native.js";

const require = createRequire(import.meta.url);

t.test("the build follows the Node.js major version", async (t) => {
  t.equal(needsNodeApiBuild("20.20.2"), false);
  t.equal(needsNodeApiBuild("22.12.0"), false);
  t.equal(needsNodeApiBuild("24.21.0"), true);
  t.equal(needsNodeApiBuild("26.1.0"), true);
});

t.test("this Node.js loaded the build meant for it, and it works", async (t) => {
  const expected = needsNodeApiBuild(process.versions.node)
    ? "better-sqlite3-napi"
    : "better-sqlite3";
  t.equal(SqliteDatabase, require(expected), `Node ${process.versions.node} uses ${expected}`);
  const db = new SqliteDatabase(":memory:");
  t.teardown(() => db.close());
  const row = db.prepare("select 1 + 1 as two").get() as { two: number };
  t.equal(row.two, 2);
});
