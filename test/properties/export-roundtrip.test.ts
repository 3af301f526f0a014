/**
 * Property: a level's CSV export is a backup its users can restore by hand. Random valid
 * numbers with random call purposes are added at a level and below it; the level's export
 * (GET /{level}/{id}/numbers.csv), uploaded as it is to Delete, removes them all; the same file
 * uploaded to Add puts back exactly the same (number, call purpose) pairs.
 *
 * The export is uploaded unchanged: the upload reads the header's phone_number and
 * call_purpose columns by name, ignores the others and takes the export's clean E.164
 * `+1…` cells. Two things a user would notice: Delete is offered at business and unit level
 * only, so a program's export is deleted through its unit; and re-adding puts every number at
 * the level uploaded to (the export's business_unit and program columns are not read).
 */
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import t from "tap";
import type { DB } from "../../src/db/database.js";
import { COMMAND_LINE, createUser } from "../../src/services/people/users.js";
import { Agent } from "../helpers/agent.js";
import { buildTestApp, form, TEST_HASHING, type TestApp } from "../helpers/app.js";
import { makeTree } from "../helpers/fixtures.js";
import { csvRecords, multipart, numberPool } from "./ground.js";

const HTML = { accept: "text/html" };
const RUNS = 30;
const PER_RUN = 12;
const POOL = numberPool(RUNS * PER_RUN, 2000);

async function signInFresh(app: FastifyInstance, db: Kysely<DB>, run: number): Promise<Agent> {
  const email = `run${run}@example.test`;
  const { user, oneTimePassword } = await createUser(
    db,
    COMMAND_LINE,
    { email, role: "portal_admin", scope: "portal" },
    TEST_HASHING,
  );
  await db
    .updateTable("users")
    .set({ must_change_password: 0 })
    .where("id", "=", user.id)
    .execute();
  const agent = new Agent(app);
  const remoteAddress = `10.0.${Math.floor(run / 250)}.${(run % 250) + 1}`;
  agent.takeCsrfFrom((await agent.inject({ url: "/login", remoteAddress })).body);
  const res = await agent.inject({
    method: "POST",
    url: "/login",
    remoteAddress,
    ...form({ email, password: oneTimePassword, _csrf: agent.csrfToken }),
  });
  if (res.statusCode !== 303) throw new Error(`sign-in: ${res.statusCode}`);
  agent.takeCsrfFrom((await agent.inject({ url: "/account", headers: HTML })).body);
  return agent;
}

t.test("export → delete by upload → re-add by upload restores the same numbers", async (t) => {
  const built = await buildTestApp();
  t.teardown(built.close);
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: 2 }),
      fc.uniqueArray(
        fc.record({
          number: fc.nat({ max: PER_RUN - 1 }),
          purpose: fc.nat({ max: 10 }),
          place: fc.nat({ max: 2 }),
        }),
        { minLength: 1, maxLength: 12, selector: (e) => e.number },
      ),
      async (levelIndex, entries) => {
        runs++;
        await roundTrip(built, runs, levelIndex, entries);
      },
    ),
    { numRuns: RUNS, endOnFailure: true },
  );
  t.equal(runs, RUNS, `${RUNS} runs, each restored exactly`);
});

/**
 * One run in a tree of its own, with numbers of its own, by a portal admin of its own (uploads
 * are limited to 10 a minute per user; sign-ins to 10 a minute per address, so each signs in
 * from an address of its own).
 */
async function roundTrip(
  built: TestApp,
  run: number,
  levelIndex: number,
  entries: Array<{ number: number; purpose: number; place: number }>,
): Promise<void> {
  const { app, database } = built;
  const { db } = database;
  const tree = await makeTree(db, `Run${run}`);
  const admin = await signInFresh(app, db, run);
  const own = (i: number) => POOL[(run - 1) * PER_RUN + i] as string;
  const purposes = await db
    .selectFrom("call_purposes")
    .select(["id", "name"])
    .where("retired_at", "is", null)
    .orderBy("id")
    .execute();
  const levels = [
    { segment: "businesses", id: tree.businessId, deleteAt: `/businesses/${tree.businessId}` },
    { segment: "units", id: tree.unitId, deleteAt: `/units/${tree.unitId}` },
    { segment: "programs", id: tree.programId, deleteAt: `/units/${tree.unitId}` },
  ];
  /** Where a number may be added inside each level: the level and the levels below it. */
  const placesIn = [
    [`/businesses/${tree.businessId}`, `/units/${tree.unitId}`, `/programs/${tree.programId}`],
    [`/units/${tree.unitId}`, `/programs/${tree.programId}`],
    [`/programs/${tree.programId}`],
  ];
  const pairs = async () =>
    (
      await db
        .selectFrom("phone_numbers")
        .innerJoin("call_purposes", "call_purposes.id", "phone_numbers.call_purpose_id")
        .select(["e164", "call_purposes.name as purpose"])
        .where("business_id", "=", tree.businessId)
        .orderBy("e164")
        .execute()
    ).map((r) => `${r.e164} ${r.purpose}`);

  const level = levels[levelIndex] as (typeof levels)[number];
  const places = placesIn[levelIndex] as string[];
  for (const e of entries) {
    const purpose = purposes[e.purpose % purposes.length];
    const res = await admin.inject({
      method: "POST",
      url: `${places[e.place % places.length]}/numbers/add`,
      ...form({ numbers: own(e.number), call_purpose: String(purpose?.id) }, HTML),
    });
    if (res.statusCode !== 303) throw new Error(`add: ${res.statusCode}`);
  }
  const before = await pairs();
  if (before.length !== entries.length) throw new Error(`added ${before.length}`);

  const base = `/${level.segment}/${level.id}`;
  const exported = await admin.inject({ url: `${base}/numbers.csv` });
  const rows = csvRecords(exported.body);
  if (rows.length !== entries.length) throw new Error(`exported ${rows.length} rows`);

  const del = multipart({ _csrf: admin.csrfToken, confirm: "yes" }, { content: exported.body });
  const deleted = await admin.inject({
    method: "POST",
    url: `${level.deleteAt}/numbers/delete`,
    payload: del.payload,
    headers: { ...del.headers, ...HTML },
  });
  if (deleted.statusCode !== 303) throw new Error(`delete: ${deleted.statusCode}`);
  const left = await pairs();
  if (left.length !== 0) throw new Error(`left after delete: ${left.join(", ")}`);

  const add = multipart(
    { _csrf: admin.csrfToken, call_purpose: String(purposes[0]?.id) },
    { content: exported.body },
  );
  const added = await admin.inject({
    method: "POST",
    url: `${base}/numbers/add`,
    payload: add.payload,
    headers: { ...add.headers, ...HTML },
  });
  if (added.statusCode !== 303) throw new Error(`re-add: ${added.statusCode}`);
  const after = await pairs();
  if (JSON.stringify(after) !== JSON.stringify(before)) {
    throw new Error(`before ${before.join(", ")}\nafter  ${after.join(", ")}`);
  }
  const again = csvRecords((await admin.inject({ url: `${base}/numbers.csv` })).body);
  const key = (r: Record<string, string>) => `${r.phone_number} ${r.call_purpose}`;
  if (JSON.stringify(again.map(key).sort()) !== JSON.stringify(rows.map(key).sort())) {
    throw new Error("the second export differs from the first");
  }
}
