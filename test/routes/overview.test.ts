import t from "tap";
import { form, HX } from "../helpers/app.js";
import { numberId } from "../helpers/fixtures.js";
import { buildOverviewGround } from "../helpers/overview-ground.js";
import { userAgent } from "../helpers/users.js";

const JSON_ACCEPT = { accept: "application/json" };

t.test("the business Overview counts its numbers by status, purpose and unit", async (t) => {
  const { admin, acme } = await buildOverviewGround(t);
  const res = await admin.inject({
    url: `/businesses/${acme.businessId}/overview`,
    headers: JSON_ACCEPT,
  });
  t.equal(res.statusCode, 200);
  const o = res.json();
  t.equal(o.total, 10, "ACME's ten numbers, none of Globex's");
  t.same(o.by_status, { active: 5, scheduled: 1, expired: 1, unassigned: 3 });
  t.same(
    o.by_call_purpose.map((p: { label: string; count: number }) => [p.label, p.count]),
    [
      ["Customer Service", 9],
      ["Survey", 1],
    ],
  );
  t.same(
    o.by_place.map((p: { label: string; count: number }) => [p.label, p.count]),
    [
      ["Billing", 9],
      ["No unit (business level)", 1],
    ],
  );
  t.match(o.expiring_soon, { programs: 1, numbers: 2 });
  t.match(
    o.expiring_soon.message,
    /^1 program, 2 numbers, stops displaying its name by \w{3} \d{1,2}$/,
  );
});

t.test("the Overview page draws each chart as SVG with links and a table", async (t) => {
  const { admin, acme, ending } = await buildOverviewGround(t);
  const res = await admin.inject({ url: `/units/${acme.unitId}/overview` });
  t.equal(res.statusCode, 200);
  const html = res.body;
  t.match(html, /<h1>Overview/);
  t.equal(
    (html.match(/<svg class="chart /g) ?? []).length,
    5,
    "status, purpose, program, timeline, weeks",
  );
  t.notMatch(html, /style="/, "no style attributes: the CSP forbids them");
  t.match(html, `href="/units/${acme.unitId}/numbers?status=active"`, "status slice → filter");
  t.match(
    html,
    new RegExp(`href="/units/${acme.unitId}/numbers\\?purpose=\\d+"`),
    "purpose bar → filter",
  );
  t.match(
    html,
    `href="/units/${acme.unitId}/numbers?program=${ending.id}"`,
    "program bar → filter",
  );
  t.match(html, /class="tone-expiring-30"/, "a program ending in 10 days is highlighted");
  t.match(html, /class="chart-today"/, "today is marked");
  t.equal(
    (html.match(/<details class="chart-table">/g) ?? []).length,
    5,
    "each chart has its table",
  );
  t.match(html, /id="expiring-soon"/);
  t.match(html, `href="/units/${acme.unitId}/numbers?status=expiring&amp;within=14"`);
  t.match(
    html,
    /<a href="\/units\/\d+\/overview" aria-current="page">Overview<\/a>/,
    "in the navigation",
  );
  // htmx (a boosted or direct load) gets the same page: there is no fragment of it.
  const hx = await admin.inject({ url: `/units/${acme.unitId}/overview`, headers: HX });
  t.equal(hx.statusCode, 200);
  t.match(hx.body, /<svg class="chart /);
});

t.test("a program's Overview has no by-place chart; its timeline is the program", async (t) => {
  const { admin, ending } = await buildOverviewGround(t);
  const o = (
    await admin.inject({ url: `/programs/${ending.id}/overview`, headers: JSON_ACCEPT })
  ).json();
  t.equal(o.total, 2);
  t.equal(o.by_place, null);
  t.same(
    o.programs.map((p: { name: string; highlight: string }) => [p.name, p.highlight]),
    [["Ending Soon", "expiring-30"]],
  );
});

t.test("numbers added and removed per week come from the audit log", async (t) => {
  const { admin, acme } = await buildOverviewGround(t);
  const id = await numberId(admin.app.db, "+12133734200");
  const removed = await admin.inject({
    method: "POST",
    url: `/numbers/${id}/remove`,
    ...form({ _csrf: admin.csrfToken }),
  });
  t.equal(removed.statusCode, 303);
  const added = await admin.inject({
    method: "POST",
    url: `/programs/${acme.programId}/numbers/add`,
    ...form({ numbers: "+1 213 373 4290\n+1 213 373 4291", _csrf: admin.csrfToken }, JSON_ACCEPT),
  });
  t.equal(added.statusCode, 201);
  // An event of six weeks ago lands in its own week.
  const old = new Date(Date.now() - 42 * 86_400_000).toISOString();
  await admin.app.db
    .insertInto("audit_events")
    .values({
      occurred_at: old,
      actor_email: "admin@example.test",
      action: "number.add",
      subject_type: "phone_number",
      business_id: acme.businessId,
      business_unit_id: acme.unitId,
      summary: "Added",
    })
    .execute();
  const o = (
    await admin.inject({ url: `/units/${acme.unitId}/overview`, headers: JSON_ACCEPT })
  ).json();
  t.equal(o.weeks.length, 12);
  const last = o.weeks[11];
  t.same([last.added, last.removed], [2, 1], "this week: two added, one removed");
  t.equal(o.weeks[5].added, 1, "six weeks back: the older add");
  t.equal(
    o.weeks.reduce((s: number, w: { added: number }) => s + w.added, 0),
    3,
    "nothing counted twice",
  );
  const page = await admin.inject({ url: `/units/${acme.unitId}/overview` });
  t.match(page.body, `action=number.remove&amp;from=${last.week_of}`, "a removed bar → Activity");
  const globex = (
    await admin.inject({ url: `/businesses/${acme.businessId + 1}/overview`, headers: JSON_ACCEPT })
  ).json();
  t.equal(
    globex.weeks.reduce(
      (s: number, w: { added: number; removed: number }) => s + w.added + w.removed,
      0,
    ),
    0,
    "another business's weeks stay empty",
  );
});

t.test("the Overview follows the dashboard's access rules", async (t) => {
  const { app, database, acme, globex } = await buildOverviewGround(t);
  const { agent } = await userAgent(
    app,
    database.db,
    "u@acme.test",
    "viewer",
    `unit:${acme.unitId}`,
  );
  t.equal((await agent.inject({ url: `/units/${acme.unitId}/overview` })).statusCode, 200);
  t.equal((await agent.inject({ url: `/programs/${acme.programId}/overview` })).statusCode, 200);
  for (const url of [
    `/businesses/${acme.businessId}/overview`,
    `/businesses/${globex.businessId}/overview`,
    `/units/${globex.unitId}/overview`,
    `/programs/${globex.programId}/overview`,
    "/units/999999/overview",
  ]) {
    const res = await agent.inject({ url, headers: JSON_ACCEPT });
    t.equal(res.statusCode, 404, url);
  }
  t.equal((await agent.inject({ url: "/units/abc/overview" })).statusCode, 404);
  const signedOut = await app.inject({
    url: `/units/${acme.unitId}/overview`,
    headers: { accept: "text/html" },
  });
  t.equal(signedOut.statusCode, 303, "signed out: to the sign-in page");
  t.match(signedOut.headers.location, /^\/login/);
});

t.test("the dashboard shows the expiring notice and its filter", async (t) => {
  const { admin, acme, ending } = await buildOverviewGround(t);
  const page = await admin.inject({ url: `/businesses/${acme.businessId}/numbers` });
  t.match(page.body, /id="expiring-soon"/);
  t.match(page.body, /1 program, 2 numbers, stops displaying its name by/);
  const filtered = await admin.inject({
    url: `/businesses/${acme.businessId}/numbers?status=expiring&within=14`,
    headers: JSON_ACCEPT,
  });
  const rows = filtered.json().numbers as Array<{ program: { id: number } }>;
  t.equal(rows.length, 2);
  t.ok(
    rows.every((n) => n.program.id === ending.id),
    "only the numbers of the ending program",
  );
  const html = await admin.inject({
    url: `/businesses/${acme.businessId}/numbers?status=expiring&within=14`,
  });
  t.match(html.body, /<option value="expiring" selected>Expiring within 14 days<\/option>/);
  t.match(
    html.body,
    /<input type="hidden" name="within" value="14">/,
    "the window survives a re-filter",
  );
  const bad = await admin.inject({
    url: `/businesses/${acme.businessId}/numbers?status=expiring&within=9999`,
    headers: JSON_ACCEPT,
  });
  t.equal(bad.statusCode, 200, "a window out of range means the default");
  t.equal(bad.json().filters.within, "");
  // The level of the ended program has nothing ending: no notice.
  const quiet = await admin.inject({ url: `/programs/${acme.programId}/numbers` });
  t.notMatch(quiet.body, /id="expiring-soon"/);
});
