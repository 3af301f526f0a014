/**
 * Runs at their level (issue 12 item 2) and results in place (items 1 and 3): the list of runs
 * at and below a level, paged, filtered by kind, as JSON; the job page at its level; Activity
 * linking to runs; the result's htmx answers for the run, Undo and Move here.
 */
import t from "tap";
import { form, HX } from "../helpers/app.js";
import { buildRunGround, jobIdOf } from "../helpers/tenants.js";
import { userAgent } from "../helpers/users.js";

const JSON_ACCEPT = { accept: "application/json" };

t.test("runs at and below a level, filtered by kind, paged, as JSON", async (t) => {
  const { app, admin, database, editor, acme, globex } = await buildRunGround(t);
  const deleted = await editor.inject({
    method: "POST",
    url: `/units/${acme.unitId}/numbers/delete`,
    ...form({ numbers: "+12133734254\nnope", confirm: "yes" }),
  });
  const added = await editor.inject({
    method: "POST",
    url: `/programs/${acme.programId}/numbers/add`,
    ...form({ numbers: "+12137281001" }),
  });
  const atBusiness = await editor.inject({
    method: "POST",
    url: `/businesses/${acme.businessId}/numbers/add`,
    ...form({ numbers: "+12137281002", call_purpose: "1" }),
  });
  await admin.inject({
    method: "POST",
    url: `/units/${globex.unitId}/numbers/add`,
    ...form({ numbers: "+12137281003", call_purpose: "1" }),
  });
  const [d, a, b] = [deleted, added, atBusiness].map((r) => jobIdOf(r.headers.location));
  await editor.inject({ method: "POST", url: `/jobs/${d}/undo`, ...form({}) });

  const page = await editor.inject({ url: `/units/${acme.unitId}/runs` });
  t.equal(page.statusCode, 200);
  t.match(page.body, /aria-current="page">Runs</, "Runs is current in the navigation");
  t.match(page.body, /2 runs/, "the unit's runs and its program's, not the business level's");
  t.match(page.body, new RegExp(`href="/jobs/${a}">Add run #${a}</a>`));
  t.match(page.body, new RegExp(`href="/jobs/${d}">Delete run #${d}</a>`));
  t.notMatch(page.body, new RegExp(`/jobs/${b}"`));
  t.match(page.body, /Undone <time[^>]*>[^<]+<\/time> by <bdi>ed@acme\.test<\/bdi>/);
  t.match(page.body, /1 removed/);

  const business = await editor.inject({
    url: `/businesses/${acme.businessId}/runs?kind=add`,
    headers: JSON_ACCEPT,
  });
  t.equal(business.statusCode, 200);
  const json = JSON.parse(business.body);
  t.same(
    json.runs.map((r: { id: number }) => r.id),
    [b, a],
    "newest first, add runs only, not Globex's",
  );
  t.match(json, { filters: { kind: "add" }, total: 2, page: 1, page_count: 1 });
  t.match(json.runs[1], {
    kind: "add",
    user: "ed@acme.test",
    succeeded: 1,
    rejected: 0,
    undone: null,
    href: `/jobs/${a}`,
    level: { kind: "program", id: acme.programId },
  });
  const deletes = JSON.parse(
    (await editor.inject({ url: `/units/${acme.unitId}/runs?kind=delete`, headers: JSON_ACCEPT }))
      .body,
  );
  t.match(deletes.runs, [{ id: d, undone: { by: "ed@acme.test" } }]);
  const beyond = JSON.parse(
    (await editor.inject({ url: `/units/${acme.unitId}/runs?page=9`, headers: JSON_ACCEPT })).body,
  );
  t.equal(beyond.page, 1, "a page past the end is the last one");

  t.equal((await editor.inject({ url: `/units/${globex.unitId}/runs` })).statusCode, 404);
  const viewer = (
    await userAgent(app, database.db, "v@acme.test", "viewer", `business:${acme.businessId}`)
  ).agent;
  t.equal((await viewer.inject({ url: `/units/${acme.unitId}/runs` })).statusCode, 200);

  const activity = await editor.inject({
    url: `/businesses/${acme.businessId}/activity?action=job`,
  });
  t.match(activity.body, new RegExp(`<a href="/jobs/${d}"><bdi>`), "Activity links to the run");
  t.match(activity.body, /Bulk delete undone/);
});

t.test("the job page sits at the job's level, for a portal admin too", async (t) => {
  const { admin, acme } = await buildRunGround(t);
  const run = await admin.inject({
    method: "POST",
    url: `/programs/${acme.programId}/numbers/add`,
    ...form({ numbers: "+12137281001\n1-800-FLOWERS" }),
  });
  const page = await admin.inject({ url: String(run.headers.location) });
  t.equal(page.statusCode, 200);
  t.match(page.body, /<nav class="level-switcher" aria-label="Level">/, "the level switcher");
  t.match(page.body, new RegExp(`href="/programs/${acme.programId}/numbers"`), "its navigation");
  t.match(page.body, /aria-current="page">Add Phone Numbers</);
  t.match(page.body, /<h1 id="dialog-title">Add run #\d+/);
  t.match(page.body, /<abbr title="\+12137281001">\(213\) 728-1001<\/abbr>/);
  t.match(page.body, /<td>Invalid format: Letters/, "reason");
  t.match(page.body, /<code>INVALID_FORMAT<\/code>/, "and code");
  const deleted = await admin.inject({
    method: "POST",
    url: `/units/${acme.unitId}/numbers/delete`,
    ...form({ numbers: "+12133731111", confirm: "yes" }),
  });
  const notFound = await admin.inject({ url: String(deleted.headers.location) });
  t.match(
    notFound.body,
    /<td>Not found among the numbers you can see\.<\/td>/,
    "a reason its message already says is said once",
  );
  t.match(
    page.body,
    new RegExp(
      `<a class="button primary" href="/programs/${acme.programId}/numbers/add" autofocus>Ok</a>`,
    ),
    "without JavaScript Ok leads back to where the run started",
  );
  const fragment = await admin.inject({ url: String(run.headers.location), headers: HX });
  t.notMatch(fragment.body, /<html/, "for htmx the dialog's content");
  t.match(fragment.body, /data-close-dialog autofocus>Ok</);
});

t.test("Undo and Move here answer in place", async (t) => {
  const { editor, acme, database } = await buildRunGround(t);
  const run = await editor.inject({
    method: "POST",
    url: `/units/${acme.unitId}/numbers/delete`,
    ...form({ numbers: "+12133734254", confirm: "yes" }, HX),
  });
  const id = /Delete run #(\d+)/.exec(run.body)?.[1];
  t.match(run.body, /hx-post="\/jobs\/\d+\/undo" hx-target="#dialog-body"/, "Undo in the dialog");
  const undone = await editor.inject({ method: "POST", url: `/jobs/${id}/undo`, ...form({}, HX) });
  t.equal(undone.statusCode, 200);
  t.notMatch(undone.body, /<html/);
  t.match(undone.body, /Undone: 1 number restored\./, "says what it did");
  t.match(undone.body, /Removed Numbers \(1\) <span class="badge">undone<\/span>/, "counts");
  t.notMatch(undone.body, />Undo</, "no second Undo offered");
  t.match(String(undone.headers["hx-trigger"]), /numbers-changed/);

  const add = await editor.inject({
    method: "POST",
    url: `/programs/${acme.programId}/numbers/add`,
    ...form({ numbers: "+12133734254\n+13107284411" }, HX),
  });
  const addId = /Add run #(\d+)/.exec(add.body)?.[1];
  t.match(add.body, />Move all 2 here</);
  const moved = await editor.inject({
    method: "POST",
    url: `/jobs/${addId}/move`,
    ...form({ numbers: "+12133734254" }, HX),
  });
  t.equal(moved.statusCode, 200);
  t.match(moved.body, /Moved 1 number to ACME Corp › Billing › Q4 Reminders\./);
  t.match(moved.body, /1 moved here since/);
  t.match(moved.body, /<tr class="row-resolved"><td class="num">1<\/td>[\s\S]*?Moved here since/);
  t.notMatch(moved.body, /aria-label="Move \+12133734254 here"/, "its button is gone");
  t.match(moved.body, /aria-label="Move \+13107284411 here"/, "the other one's stays");
  t.match(moved.body, />Move here</, "one left to move");
  const row = await database.db
    .selectFrom("phone_numbers")
    .select("program_id")
    .where("e164", "=", "+12133734254")
    .executeTakeFirstOrThrow();
  t.equal(row.program_id, acme.programId);
});

t.test("a big result pages inside the dialog", async (t) => {
  const { editor, acme } = await buildRunGround(t);
  const numbers = Array.from({ length: 450 }, (_, i) => `+1213728${String(2000 + i)}`).join("\n");
  const run = await editor.inject({
    method: "POST",
    url: `/units/${acme.unitId}/numbers/add`,
    ...form({ numbers, call_purpose: "1" }),
  });
  const job = String(run.headers.location);
  const first = await editor.inject({ url: job, headers: HX });
  t.match(first.body, /Page 1 of 3/);
  t.equal((first.body.match(/<li><abbr/g) ?? []).length, 200);
  t.match(first.body, new RegExp(`hx-get="${job}\\?page=2" hx-target="#dialog-body"`));
  const third = await editor.inject({ url: `${job}?page=3`, headers: HX });
  t.equal((third.body.match(/<li><abbr/g) ?? []).length, 50, "the last 50");
  t.match(third.body, /‹ Previous/);
});

t.test("Manage Phone Numbers ▾ on the dashboard, and the sidebar's group", async (t) => {
  const { app, database, editor, acme } = await buildRunGround(t);
  const menuOf = (html: string) =>
    [
      ...(
        /<details class="menu manage-menu" data-menu id="manage-menu">([\s\S]*?)<\/details>/.exec(
          html,
        )?.[1] ?? ""
      ).matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g),
    ].map((m) => [m[2], m[1]]);
  const unit = await editor.inject({ url: `/units/${acme.unitId}/numbers` });
  t.match(unit.body, /<summary class="button">Manage Phone Numbers<\/summary>/);
  t.same(menuOf(unit.body), [
    ["Add Phone Numbers", `/units/${acme.unitId}/numbers/add`],
    ["Delete Phone Numbers", `/units/${acme.unitId}/numbers/delete`],
    ["Runs", `/units/${acme.unitId}/runs`],
    ["Recently Removed", `/units/${acme.unitId}/numbers/removed`],
  ]);
  const program = await editor.inject({ url: `/programs/${acme.programId}/numbers` });
  t.same(
    menuOf(program.body).map(([label]) => label),
    ["Add Phone Numbers", "Runs", "Recently Removed"],
    "no Delete at program level",
  );
  const viewer = (
    await userAgent(app, database.db, "v2@acme.test", "viewer", `business:${acme.businessId}`)
  ).agent;
  const read = await viewer.inject({ url: `/units/${acme.unitId}/numbers` });
  t.same(
    menuOf(read.body).map(([label]) => label),
    ["Runs", "Recently Removed"],
    "a viewer may only look",
  );
  const sidebar = /<nav class="main-nav" aria-label="Main">([\s\S]*?)<\/nav>/.exec(read.body)?.[1];
  t.match(
    sidebar,
    /Manage Phone Numbers<\/a><\/p>\s*<ul>\s*<li><a href="\/units\/\d+\/runs">Runs</,
  );
});

t.test("the sidebar's Manage Phone Numbers is a link, at every level, for each role", async (t) => {
  const { app, admin, database, editor, acme } = await buildRunGround(t);
  const viewer = (
    await userAgent(app, database.db, "v3@acme.test", "viewer", `business:${acme.businessId}`)
  ).agent;
  /** The sidebar's Manage group: where its label leads, and its items' labels. */
  const manageGroupOf = (html: string) => {
    const group =
      /<p class="nav-group-label nav-group-link"><a href="([^"]+)">Manage Phone Numbers<\/a><\/p>\s*<ul>([\s\S]*?)<\/ul>/.exec(
        html,
      );
    return {
      href: group?.[1] ?? null,
      items: [...(group?.[2] ?? "").matchAll(/<a href="[^"]+"[^>]*>([^<]+)<\/a>/g)].map(
        (m) => m[1],
      ),
    };
  };
  const levels = [
    ["businesses", acme.businessId, true],
    ["units", acme.unitId, true],
    ["programs", acme.programId, false],
  ] as const;
  for (const [segment, id, deletes] of levels) {
    const here = `/${segment}/${id}`;
    for (const [role, agent] of [
      ["portal admin", admin],
      ["editor", editor],
    ] as const) {
      const page = await agent.inject({ url: `${here}/numbers` });
      t.same(
        manageGroupOf(page.body),
        {
          href: `${here}/numbers/add`,
          items: [
            "Add Phone Numbers",
            ...(deletes ? ["Delete Phone Numbers"] : []),
            "Runs",
            "Recently Removed",
          ],
        },
        `${role} at ${segment}: the label leads to Add, the items stay`,
      );
      t.equal((await agent.inject({ url: `${here}/numbers/add` })).statusCode, 200);
    }
    const seen = await viewer.inject({ url: `${here}/overview` });
    t.same(
      manageGroupOf(seen.body),
      { href: `${here}/runs`, items: ["Runs", "Recently Removed"] },
      `viewer at ${segment}: the label leads to Runs, nothing it may not use`,
    );
    t.equal((await viewer.inject({ url: `${here}/runs` })).statusCode, 200);
  }
  // htmx asks the dashboard for its rows only; a boosted request gets the whole page, and with
  // it the same link.
  const fragment = await editor.inject({
    url: `/units/${acme.unitId}/numbers`,
    headers: { ...HX, "hx-target": "number-results" },
  });
  t.equal(fragment.statusCode, 200);
  t.notMatch(fragment.body, /nav-group-link/, "the rows fragment carries no sidebar");
  const boosted = await editor.inject({
    url: `/units/${acme.unitId}/numbers`,
    headers: { ...HX, "hx-boosted": "true" },
  });
  t.equal(manageGroupOf(boosted.body).href, `/units/${acme.unitId}/numbers/add`);
  const adding = await editor.inject({ url: `/units/${acme.unitId}/numbers/add` });
  t.match(adding.body, /aria-current="page">Add Phone Numbers</, "Add stays the current item");
});
