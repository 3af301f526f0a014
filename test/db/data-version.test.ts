/**
 * The data version caches key on (Database.dataVersion), on PostgreSQL: a counter in the
 * database, so a change committed through one instance moves it for every other, and only
 * at commit (an instance must not cache old rows under the new version). Starts the
 * throwaway cluster itself, whichever lane the suite is in.
 */
import t from "tap";
import { createDb } from "../../src/db/database.js";
import { ReadCache } from "../../src/services/read-cache.js";
import { freshPostgresDatabase } from "../helpers/postgres.js";

t.test("a change through instance A is seen by instance B's cache", async (t) => {
  const target = await freshPostgresDatabase();
  t.teardown(() => target.drop());
  const a = createDb(target.url);
  const b = createDb(target.url);
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const cacheOfB = new ReadCache(b.dataVersion);
  const countOnB = () =>
    cacheOfB.get("businesses", async () => {
      const rows = await b.db.selectFrom("businesses").select("id").execute();
      return rows.length;
    });
  t.equal(await countOnB(), 0);

  const before = await b.dataVersion();
  const now = new Date().toISOString();
  await a.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("businesses")
      .values({ name: "ACME Corp", created_at: now, updated_at: now })
      .execute();
    t.equal(await b.dataVersion(), before, "not moved before A commits");
  });
  t.not(await b.dataVersion(), before, "moved once A committed");
  t.equal(await countOnB(), 1, "B's cached answer was forgotten");

  // Tables no cached answer reads (sessions are written on every page) leave it alone.
  const version = await b.dataVersion();
  await a.db
    .insertInto("server_secrets")
    .values({ name: "x", value: "y", created_at: now })
    .execute();
  t.equal(await b.dataVersion(), version);
});
