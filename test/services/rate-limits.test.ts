/**
 * The rate-limit counters (services/ops/rate-limits.ts): fixed windows from a key's first
 * hit, counted in one upsert per hit so that two instances hitting one key at once lose no
 * hit, ended windows swept, any key accepted. On SQLite and, in the PostgreSQL lane, on
 * PostgreSQL.
 */
import t, { type Test } from "tap";
import { createDb } from "../../src/db/database.js";
import { MemoryRateCounter, SharedRateCounter } from "../../src/services/ops/rate-limits.js";
import { buildTestApp } from "../helpers/app.js";

async function twoConnections(t: Test) {
  const built = await buildTestApp({}, undefined, { signIn: false });
  const other = createDb(built.databaseUrl);
  t.teardown(async () => {
    await other.close();
    await built.close();
  });
  return { one: built.database, other };
}

const T0 = 1_800_000_000_000;

t.test("a window counts from the first hit and starts afresh once it ended", async (t) => {
  const { one } = await twoConnections(t);
  for (const counter of [new SharedRateCounter(one.db), new MemoryRateCounter()]) {
    const name = counter.constructor.name;
    t.same(await counter.hit("k", 60_000, T0), { hits: 1, resetsAt: T0 + 60_000 }, name);
    t.same(await counter.hit("k", 60_000, T0 + 59_999), { hits: 2, resetsAt: T0 + 60_000 });
    t.same(await counter.hit("other", 60_000, T0 + 1), { hits: 1, resetsAt: T0 + 60_001 });
    t.same(
      await counter.hit("k", 60_000, T0 + 60_000),
      { hits: 1, resetsAt: T0 + 120_000 },
      `${name}: a new window once the old one ended`,
    );
  }
});

t.test("hits from two connections at once are all counted, none twice", async (t) => {
  const { one, other } = await twoConnections(t);
  const a = new SharedRateCounter(one.db);
  const b = new SharedRateCounter(other.db);
  const now = Date.now();
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).hit("busy", 60_000, now)),
  );
  t.same(
    answers.map((answer) => answer.hits).sort((x, y) => x - y),
    Array.from({ length: 40 }, (_, i) => i + 1),
    "each hit saw its own count: 1 … 40",
  );
  t.equal((await a.hit("busy", 60_000, now)).hits, 41);
});

t.test("ended windows are swept; keys of any length or character are fine", async (t) => {
  const { one } = await twoConnections(t);
  const counter = new SharedRateCounter(one.db);
  const odd = `nul\u0000${"x".repeat(10_000)}\u202e`;
  t.equal((await counter.hit(odd, 1_000, T0)).hits, 1);
  t.equal((await counter.hit(odd, 1_000, T0 + 1)).hits, 2);
  await counter.hit("later", 120_000, T0 + 30_000);
  const rows = () => one.db.selectFrom("rate_limits").selectAll().execute();
  t.equal((await rows()).length, 2, "not swept again within the minute");
  await counter.hit("last", 120_000, T0 + 61_000);
  const left = await rows();
  t.equal(left.length, 2, "the ended window is gone, the live ones stay");
  t.ok(
    left.every((row) => row.key.length === 43 && row.resets_at > T0 + 61_000),
    "keys are stored as fixed-length hashes",
  );
});
