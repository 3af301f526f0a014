/**
 * Several portal instances on one database (issue 14): a session signed in on A works on B,
 * and a change made through A shows on B's next page (totals, digit search, level names),
 * though B had the old answers cached. On SQLite, two instances on one file; in the
 * PostgreSQL lane, two pools on one database.
 */
import t from "tap";
import { makeTree, numberId } from "../helpers/fixtures.js";
import { buildTwoInstances, sameBrowserOn } from "../helpers/instances.js";

/**
 * A next page comes to an instance as a new request on a socket, in a later turn of its event
 * loop (on SQLite, other processes' commits are looked for once a turn: db/sqlite/sqlite.ts).
 * Requests injected in one process need that turn made for them.
 */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

const JSON_ACCEPT = { accept: "application/json" };
const FORM = { "content-type": "application/x-www-form-urlencoded" };

t.test("a session signed in on A works on B, and signing out on B ends it on A", async (t) => {
  const { a, b } = await buildTwoInstances(t);
  const onB = sameBrowserOn(a.admin, b.app);
  const account = await onB.inject({ url: "/account", headers: { accept: "text/html" } });
  t.equal(account.statusCode, 200, "B knows the session A started");
  t.match(account.body, /admin@example\.test/);

  // A form posted to B with the page token A gave: the CSRF secret is shared too.
  const business = await onB.inject({
    method: "POST",
    url: "/businesses/new",
    payload: new URLSearchParams({ name: "Made on B" }).toString(),
    headers: FORM,
  });
  t.equal(business.statusCode, 303, "a change through B with A's page token");
  const seenOnA = await a.admin.inject({ url: "/businesses", headers: { accept: "text/html" } });
  t.match(seenOnA.body, /Made on B/, "A lists what B made");

  const out = await onB.inject({ method: "POST", url: "/logout" });
  t.equal(out.statusCode, 303);
  await nextTurn();
  const after = await a.admin.inject({ url: "/account", headers: { accept: "text/html" } });
  t.equal(after.statusCode, 303, "signed out on B: A no longer knows the session");
  t.match(String(after.headers.location), /^\/login/);
});

t.test("a change through A shows on B's next page: totals, digit search, names", async (t) => {
  const { a, b } = await buildTwoInstances(t);
  const acme = await makeTree(a.database.db, "ACME");
  const onB = sameBrowserOn(a.admin, b.app);
  const dashboard = `/businesses/${acme.businessId}/numbers`;
  const search = `${dashboard}?q=3734`;
  const readB = async (url: string) => {
    await nextTurn();
    const res = await onB.inject({ url, headers: JSON_ACCEPT });
    t.equal(res.statusCode, 200, `B answers ${url}`);
    return res.json() as {
      total: number;
      level: { name: string };
      numbers: Array<{ phone_number: string }>;
    };
  };

  // B computes and caches its answers first.
  t.equal((await readB(dashboard)).total, 0);
  t.equal((await readB(search)).total, 0);
  t.equal((await readB(dashboard)).level.name, "ACME Corp");

  const added = await a.admin.inject({
    method: "POST",
    url: `/units/${acme.unitId}/numbers/add`,
    payload: new URLSearchParams({
      numbers: "+1 213 373 4253\n+1 213 373 4254\n+1 310 728 4411",
      call_purpose: "1",
    }).toString(),
    headers: FORM,
  });
  t.equal(added.statusCode, 303, "three numbers added through A");
  t.equal((await readB(dashboard)).total, 3, "B's total follows");
  t.same(
    (await readB(search)).numbers.map((n) => n.phone_number).sort(),
    ["+12133734253", "+12133734254"],
    "B's digit search finds them",
  );

  const id = await numberId(a.database.db, "+12133734253");
  const removed = await a.admin.inject({ method: "POST", url: `/numbers/${id}/remove` });
  t.equal(removed.statusCode, 303, "one removed through A");
  t.equal((await readB(dashboard)).total, 2);
  t.same(
    (await readB(search)).numbers.map((n) => n.phone_number),
    ["+12133734254"],
    "and B's search no longer finds it",
  );

  const renamed = await a.admin.inject({
    method: "POST",
    url: `/businesses/${acme.businessId}/edit`,
    payload: new URLSearchParams({ name: "ACME Renamed" }).toString(),
    headers: FORM,
  });
  t.equal(renamed.statusCode, 303, "the business renamed through A");
  t.equal((await readB(dashboard)).level.name, "ACME Renamed", "B names it the new way");
  const page = await onB.inject({ url: dashboard, headers: { accept: "text/html" } });
  t.match(page.body, /ACME Renamed/);
  t.notMatch(page.body, /ACME Corp/, "nowhere on B's page the old name");
});
