/**
 * Every role × scope against every route: allowed, 403 (visible but not theirs to do) or 404
 * (outside their scope: existence is not revealed). One table, so a new route is one row.
 */
import t from "tap";
import type { Agent } from "../helpers/agent.js";
import { buildTestApp, form } from "../helpers/app.js";
import { callPurposeId, insertNumber, makeTree } from "../helpers/fixtures.js";
import { userAgent } from "../helpers/users.js";

const ACTORS = [
  "portal",
  "bizAdmin",
  "bizEditor",
  "bizViewer",
  "unitAdmin",
  "unitEditor",
  "unitViewer",
] as const;
type Actor = (typeof ACTORS)[number];
type Expect = Record<Actor, number>;

/** Shorthands: who gets what. */
const all = (status: number): Expect =>
  Object.fromEntries(ACTORS.map((a) => [a, status])) as Expect;
const only = (allowed: Actor[], ok: number, otherwise: Partial<Expect>, rest = 403): Expect =>
  Object.fromEntries(
    ACTORS.map((a) => [a, allowed.includes(a) ? ok : (otherwise[a] ?? rest)]),
  ) as Expect;
const unitScoped = { unitAdmin: 404, unitEditor: 404, unitViewer: 404 };
const outsiders = { ...unitScoped, bizAdmin: 404, bizEditor: 404, bizViewer: 404 };

t.test("access matrix: every role and scope against every route", async (t) => {
  const { app, admin, database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;

  // ACME (A) with units A1 (program P) and A2; Globex (B) with unit B1 (program Q).
  const a = await makeTree(db, "ACME");
  const b = await makeTree(db, "Globex");
  const a2 = await admin.inject({
    method: "POST",
    url: `/businesses/${a.businessId}/units/new`,
    ...form({ name: "Sales" }),
  });
  t.equal(a2.statusCode, 303);
  const a2Id = (
    await db
      .selectFrom("business_units")
      .select("id")
      .where("name", "=", "Sales")
      .executeTakeFirstOrThrow()
  ).id;
  await insertNumber(db, "+12133734253", {
    businessId: a.businessId,
    unitId: a.unitId,
    programId: a.programId,
  });

  const scopeA = `business:${a.businessId}`;
  const scopeA1 = `unit:${a.unitId}`;
  const agents: Record<Actor, Agent> = {
    portal: admin,
    bizAdmin: (await userAgent(app, db, "ba@acme.test", "admin", scopeA)).agent,
    bizEditor: (await userAgent(app, db, "be@acme.test", "editor", scopeA)).agent,
    bizViewer: (await userAgent(app, db, "bv@acme.test", "viewer", scopeA)).agent,
    unitAdmin: (await userAgent(app, db, "ua@acme.test", "admin", scopeA1)).agent,
    unitEditor: (await userAgent(app, db, "ue@acme.test", "editor", scopeA1)).agent,
    unitViewer: (await userAgent(app, db, "uv@acme.test", "viewer", scopeA1)).agent,
  };
  const idOf = async (email: string) =>
    (await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow())
      .id;
  const unitViewerId = await idOf("uv@acme.test");
  const bizViewerId = await idOf("bv@acme.test");
  const otherPortal = await userAgent(app, db, "p2@example.test", "portal_admin", "portal");
  const globexViewer = await userAgent(
    app,
    db,
    "gv@globex.test",
    "viewer",
    `business:${b.businessId}`,
  );
  const survey = String(await callPurposeId(db, "survey"));

  const reads: Array<[string, Expect]> = [
    ["/businesses", only(["portal"], 200, {})],
    ["/businesses/new", only(["portal"], 200, {})],
    [`/businesses/${a.businessId}/edit`, only(["portal"], 200, {})],
    [`/businesses/${a.businessId}/delete`, only(["portal"], 200, {})],
    [
      `/businesses/${a.businessId}/units`,
      only(["portal", "bizAdmin", "bizEditor", "bizViewer"], 200, unitScoped),
    ],
    [`/businesses/${b.businessId}/units`, only(["portal"], 200, outsiders)],
    [`/businesses/${a.businessId}/units/new`, only(["portal", "bizAdmin"], 200, unitScoped)],
    [`/units/${a.unitId}/edit`, only(["portal", "bizAdmin"], 200, {})],
    [`/units/${a.unitId}/delete`, only(["portal", "bizAdmin"], 200, {})],
    [`/units/${a2Id}/edit`, only(["portal", "bizAdmin"], 200, unitScoped)],
    [`/units/${b.unitId}/edit`, only(["portal"], 200, outsiders)],
    [`/units/${a.unitId}/programs`, all(200)],
    [
      `/units/${a2Id}/programs`,
      only(["portal", "bizAdmin", "bizEditor", "bizViewer"], 200, unitScoped),
    ],
    [
      `/businesses/${a.businessId}/programs`,
      only(["portal", "bizAdmin", "bizEditor", "bizViewer"], 200, unitScoped),
    ],
    [`/businesses/${a.businessId}/programs/new`, only(["portal", "bizAdmin"], 200, unitScoped)],
    [`/units/${a.unitId}/programs/new`, only(["portal", "bizAdmin", "unitAdmin"], 200, {})],
    [`/programs/${a.programId}/details`, all(200)],
    [`/programs/${a.programId}/edit`, only(["portal", "bizAdmin", "unitAdmin"], 200, {})],
    [`/programs/${a.programId}/delete`, only(["portal", "bizAdmin", "unitAdmin"], 200, {})],
    [`/programs/${b.programId}/details`, only(["portal"], 200, outsiders)],
    [`/programs/${b.programId}/edit`, only(["portal"], 200, outsiders)],
    ["/call-purposes", only(["portal"], 200, {})],
    ["/call-purposes/1/edit", only(["portal"], 200, {})],
    ["/users", only(["portal"], 200, {})],
    ["/users/new", only(["portal"], 200, {})],
    [`/businesses/${a.businessId}/users`, only(["portal", "bizAdmin"], 200, unitScoped)],
    [`/businesses/${a.businessId}/users/new`, only(["portal", "bizAdmin"], 200, unitScoped)],
    [`/units/${a.unitId}/users`, only(["portal", "bizAdmin", "unitAdmin"], 200, {})],
    [
      `/users/${unitViewerId}/edit`,
      only(["portal", "bizAdmin", "unitAdmin"], 200, { unitViewer: 403 }),
    ],
    [
      `/users/${bizViewerId}/edit`,
      only(["portal", "bizAdmin"], 200, { ...unitScoped, bizViewer: 403 }),
    ],
    [
      `/users/${bizViewerId}/disable`,
      only(["portal", "bizAdmin"], 200, { ...unitScoped, bizViewer: 403 }),
    ],
    [
      `/users/${bizViewerId}/reset-password`,
      only(["portal", "bizAdmin"], 200, { ...unitScoped, bizViewer: 403 }),
    ],
    [`/users/${otherPortal.id}/edit`, only(["portal"], 200, outsiders)],
    [`/users/${globexViewer.id}/edit`, only(["portal"], 200, outsiders)],
    ["/account", all(200)],
    ["/no-such-page", all(404)],
  ];

  for (const [url, expect] of reads) {
    for (const actor of ACTORS) {
      const res = await agents[actor].inject({ url, headers: { accept: "text/html" } });
      t.equal(res.statusCode, expect[actor], `${actor} GET ${url}`);
    }
  }

  // Home goes to the user's own level.
  const homes: Expect = {
    portal: 0,
    bizAdmin: 0,
    bizEditor: 0,
    bizViewer: 0,
    unitAdmin: 0,
    unitEditor: 0,
    unitViewer: 0,
  };
  for (const actor of ACTORS) {
    const res = await agents[actor].inject({ url: "/", headers: { accept: "text/html" } });
    homes[actor] = res.statusCode;
    const expected =
      actor === "portal"
        ? "/businesses"
        : actor.startsWith("biz")
          ? `/businesses/${a.businessId}`
          : `/units/${a.unitId}`;
    t.equal(res.headers.location, expected, `${actor} home`);
  }
  t.same(homes, all(303));

  // Writes: each actor tries; forbidden ones change nothing (checked by counting rows).
  const writes: Array<[string, (actor: Actor) => Record<string, string>, Expect]> = [
    ["/businesses/new", (actor) => ({ name: `New ${actor}` }), only(["portal"], 303, {})],
    [
      `/businesses/${a.businessId}/units/new`,
      (actor) => ({ name: `Unit ${actor}` }),
      only(["portal", "bizAdmin"], 303, unitScoped),
    ],
    [
      `/units/${b.unitId}/edit`,
      (actor) => ({ name: `Renamed ${actor}` }),
      only(["portal"], 303, outsiders),
    ],
    [
      `/units/${a.unitId}/programs/new`,
      (actor) => ({
        name: `Program ${actor}`,
        display_name: "ACME",
        call_purpose: survey,
        starts_on: "",
        ends_on: "",
      }),
      only(["portal", "bizAdmin", "unitAdmin"], 303, {}),
    ],
    [
      `/programs/${a.programId}/edit`,
      (actor) => ({
        name: "Q4 Reminders",
        display_name: `By ${actor}`.slice(0, 32),
        call_purpose: survey,
        starts_on: "",
        ends_on: "",
      }),
      only(["portal", "bizAdmin", "unitAdmin"], 303, {}),
    ],
    ["/call-purposes/new", (actor) => ({ name: `Purpose ${actor}` }), only(["portal"], 303, {})],
    [
      `/units/${a.unitId}/users/new`,
      (actor) => ({ email: `new-${actor}@acme.test`, role: "viewer", scope: scopeA1 }),
      only(["portal", "bizAdmin", "unitAdmin"], 201, {}),
    ],
  ];
  for (const [url, fields, expect] of writes) {
    for (const actor of ACTORS) {
      const res = await agents[actor].inject({
        method: "POST",
        url,
        ...form(fields(actor), { accept: "text/html" }),
      });
      t.equal(res.statusCode, expect[actor], `${actor} POST ${url}`);
    }
  }
  const names = (await db.selectFrom("businesses").select("name").execute()).map((r) => r.name);
  t.same(
    names.filter((n) => n.startsWith("New ")),
    ["New portal"],
    "only the portal admin created a business",
  );
  const units = (await db.selectFrom("business_units").select("name").execute()).map((r) => r.name);
  t.same(units.filter((n) => n.startsWith("Unit ")).sort(), ["Unit bizAdmin", "Unit portal"]);
  t.ok(
    units.includes("Renamed portal") &&
      !units.some((n) => n.startsWith("Renamed b") || n.startsWith("Renamed u")),
  );
  const users = (
    await db.selectFrom("users").select("email").where("email", "like", "new-%").execute()
  ).map((r) => r.email);
  t.same(users.sort(), [
    "new-bizAdmin@acme.test",
    "new-portal@acme.test",
    "new-unitAdmin@acme.test",
  ]);
});

t.test("admins never hand out more than they have", async (t) => {
  const { app, database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;
  const a = await makeTree(db, "ACME");
  const b = await makeTree(db, "Globex");
  const bizAdmin = (await userAgent(app, db, "ba@acme.test", "admin", `business:${a.businessId}`))
    .agent;
  const unitAdmin = (await userAgent(app, db, "ua@acme.test", "admin", `unit:${a.unitId}`)).agent;
  const post = (agent: Agent, url: string, fields: Record<string, string>) =>
    agent.inject({ method: "POST", url, ...form(fields, { accept: "text/html" }) });

  const portalRole = await post(bizAdmin, `/businesses/${a.businessId}/users/new`, {
    email: "x@acme.test",
    role: "portal_admin",
    scope: "portal",
  });
  t.equal(portalRole.statusCode, 422);
  t.match(portalRole.body, /Choose one of: Admin, Editor, Viewer\./);
  const otherBusiness = await post(bizAdmin, `/businesses/${a.businessId}/users/new`, {
    email: "y@acme.test",
    role: "viewer",
    scope: `business:${b.businessId}`,
  });
  t.equal(otherBusiness.statusCode, 422, "a tampered scope of another business is refused");
  t.match(otherBusiness.body, /within your own scope/);
  const wholeBusiness = await post(unitAdmin, `/units/${a.unitId}/users/new`, {
    email: "z@acme.test",
    role: "admin",
    scope: `business:${a.businessId}`,
  });
  t.equal(wholeBusiness.statusCode, 422, "a unit admin cannot make a business-wide user");
  const repeated = await bizAdmin.inject({
    method: "POST",
    url: `/businesses/${a.businessId}/users/new`,
    ...form([
      ["email", "w@acme.test"],
      ["role", "viewer"],
      ["scope", `unit:${a.unitId}`],
      ["scope", `unit:${b.unitId}`],
    ]),
  });
  t.equal(repeated.statusCode, 400, "a repeated scope field is refused, not guessed");
  const extra = await post(bizAdmin, `/businesses/${a.businessId}/users/new`, {
    email: "v@acme.test",
    role: "viewer",
    scope: `unit:${a.unitId}`,
    business_id: String(b.businessId),
  });
  t.equal(extra.statusCode, 201, "an extra field is ignored");
  const row = await db
    .selectFrom("users")
    .selectAll()
    .where("email", "=", "v@acme.test")
    .executeTakeFirstOrThrow();
  t.equal(row.business_id, a.businessId, "…and never applied");
  const count = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  t.equal(Number(count.n), 4, "admin, two admins, and only the valid new user");
});
