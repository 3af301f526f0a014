import t, { type Test } from "tap";
import { createDb } from "../../src/db/database.js";
import { setCallPurposeRetired } from "../../src/services/hierarchy/call-purposes.js";
import { form, HX } from "../helpers/app.js";
import {
  callPurposeId,
  hasNumber,
  insertNumber,
  numberId,
  portalAdmin,
} from "../helpers/fixtures.js";
import { buildTwoTenants } from "../helpers/tenants.js";
import { userAgent } from "../helpers/users.js";

const HTML = { accept: "text/html" };
/** Another process's commits are looked for once per turn of the event loop: let one pass. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** What the search form sends: htmx, swapping only the results. */
const RESULTS = { ...HX, "hx-target": "number-results" };

async function setup(t: Test) {
  const built = await buildTwoTenants(t);
  const { db } = built.database;
  const { acme, globex } = built;
  // ACME: 3 numbers in the program, 1 at unit level, 1 at business level; Globex: 1.
  await insertNumber(db, "+12133734253", {
    businessId: acme.businessId,
    unitId: acme.unitId,
    programId: acme.programId,
  });
  await insertNumber(db, "+12133734254", {
    businessId: acme.businessId,
    unitId: acme.unitId,
    programId: acme.programId,
  });
  await insertNumber(db, "+13107284411", {
    businessId: acme.businessId,
    unitId: acme.unitId,
    programId: acme.programId,
  });
  await insertNumber(db, "+14153734200", { businessId: acme.businessId, unitId: acme.unitId });
  await insertNumber(db, "+16175550100", { businessId: acme.businessId });
  await insertNumber(db, "+12133739999", { businessId: globex.businessId, unitId: globex.unitId });
  const id = (e164: string) => numberId(db, e164);
  return { ...built, acme, globex, id };
}

t.test("dashboard: page and fragment, columns, level root", async (t) => {
  const { admin, acme } = await setup(t);
  const page = await admin.inject({ url: `/businesses/${acme.businessId}/numbers` });
  t.equal(page.statusCode, 200);
  t.match(page.body, /<form id="number-filters"/);
  t.match(page.body, /1–5 of 5/);
  t.match(
    page.body,
    /<abbr title="\+12133734253">\(213\) 373-4253<\/abbr>/,
    "national format, E.164 on hover",
  );
  t.match(page.body, /ACME Billing/);
  t.match(page.body, /status-active">Active/);
  t.match(page.body, /status-unassigned">Unassigned/);
  t.notMatch(page.body, /\+12133739999/, "another business's numbers are not here");
  t.match(String(page.headers.vary), /HX-Request/);

  const fragment = await admin.inject({
    url: `/businesses/${acme.businessId}/numbers?q=3734`,
    headers: RESULTS,
  });
  t.notMatch(fragment.body, /<html|number-filters/, "htmx gets the results only");
  t.match(fragment.body, /<section id="number-results"/);
  t.match(fragment.body, /1–3 of 3/);
  const unitChosen = await admin.inject({
    url: `/businesses/${acme.businessId}/numbers?unit=${acme.unitId}`,
    headers: { ...HX, "hx-target": "main" },
  });
  t.match(unitChosen.body, /<main id="main"/, "choosing a unit refreshes the whole page body");
  t.match(
    unitChosen.body,
    /<option value="\d+">Q4 Reminders<\/option>/,
    "with that unit's programs",
  );
  const noUnit = await admin.inject({ url: `/businesses/${acme.businessId}/numbers` });
  t.notMatch(noUnit.body, /id="field-program"/, "no program list until a unit is chosen");

  const root = await admin.inject({ url: `/units/${acme.unitId}`, headers: HTML });
  t.equal(root.headers.location, `/units/${acme.unitId}/numbers`);
  const unit = await admin.inject({ url: `/units/${acme.unitId}/numbers` });
  t.match(unit.body, /1–4 of 4/, "the unit's numbers include its programs'");
  const program = await admin.inject({ url: `/programs/${acme.programId}/numbers` });
  t.match(program.body, /1–3 of 3/);
  t.equal((await admin.inject({ url: "/units/9999/numbers" })).statusCode, 404);
});

t.test(
  "pages kept in the read cache show a change made elsewhere at the next request",
  async (t) => {
    // The dashboard's page of rows, the level and View Assignments are kept until the data
    // version moves; a change through another connection (a second instance, `npm run seed`)
    // must show all the same.
    const { admin, acme, databaseUrl, id } = await setup(t);
    const other = createDb(databaseUrl);
    t.teardown(() => other.close());
    const unitPage = () => admin.inject({ url: `/units/${acme.unitId}/numbers`, headers: HTML });
    const numberId = await id("+12133734254");
    const assignments = () =>
      admin.inject({ url: `/numbers/${numberId}/assignments`, headers: HTML });
    t.match((await unitPage()).body, /1–4 of 4/);
    t.match((await unitPage()).body, /\(415\) 373-4200/, "read twice: kept");
    t.match((await assignments()).body, /Billing/);
    t.notMatch((await assignments()).body, /ACME Renamed/);
    await other.db.updateTable("business_units").set({ name: "ACME Renamed" }).execute();
    await other.db.deleteFrom("phone_numbers").where("e164", "=", "+12133734253").execute();
    await other.db
      .updateTable("phone_numbers")
      .set({ business_unit_id: null })
      .where("e164", "=", "+14153734200")
      .execute();
    await nextTurn();
    const after = (await unitPage()).body;
    t.match(after, /1–2 of 2/, "the count moved");
    t.notMatch(after, /\(213\) 373-4253/, "the removed row is gone");
    t.notMatch(after, /\(415\) 373-4200/, "the moved row is gone");
    t.match(after, /ACME Renamed/, "the level's new name");
    t.match((await assignments()).body, /ACME Renamed/, "View Assignments names the unit anew");
  },
);

t.test("search: any run of digits in any format; junk is answered, not run", async (t) => {
  const { admin, acme } = await setup(t);
  const base = `/businesses/${acme.businessId}/numbers`;
  const total = async (q: string) => {
    const res = await admin.inject({ url: `${base}?q=${encodeURIComponent(q)}`, headers: RESULTS });
    t.equal(res.statusCode, 200, `q=${q}`);
    return /id="number-range" class="range">([^<]+)</.exec(res.body)?.[1];
  };
  t.equal(await total("(213) 373"), "1–2 of 2");
  t.equal(await total("373-42"), "1–3 of 3", "213373425x twice and 415373420x");
  t.equal(await total("+1 213"), "1–2 of 2");
  t.equal(await total("3734"), "1–3 of 3");
  t.equal(await total("44"), "1–1 of 1", "two digits work too");
  t.equal(await total("999"), "0 numbers", "Globex's number is not found from ACME");
  t.equal(await total("' OR 1=1--"), "0 numbers");
  const junk = await admin.inject({ url: `${base}?q=${encodeURIComponent("' OR 1=1--")}` });
  t.match(junk.body, /Search by digits: use only digits/);
  t.match(junk.body, /value="&#39; OR 1=1--"/, "the search is kept, escaped");
});

t.test(
  "a search's fragment says what it found in the page's status region, out of band",
  async (t) => {
    const { admin, acme } = await setup(t);
    const base = `/businesses/${acme.businessId}/numbers`;
    const statusOf = async (query: string, headers: Record<string, string> = RESULTS) => {
      const res = await admin.inject({ url: `${base}?${query}`, headers });
      t.equal(res.statusCode, 200);
      return /<p id="results-status" hx-swap-oob="innerHTML">([^<]*)<\/p>/.exec(res.body)?.[1];
    };
    t.equal(await statusOf("q=3734"), "Phone numbers 1–3 of 3");
    t.equal(
      await statusOf("q=999"),
      "No phone numbers match this search and these filters.",
      "an empty result says why, as its empty state does",
    );
    const page = await admin.inject({ url: `${base}?q=3734`, headers: { accept: "text/html" } });
    t.match(page.body, /<p id="results-status" class="visually-hidden" role="status"><\/p>/);
    t.notMatch(page.body, /hx-swap-oob/, "a full page has the region once, empty, and no swap");
    t.equal(await statusOf("q=3734", HX), undefined, "a boosted or other htmx load gets the page");
  },
);

t.test("filters, status, sort and pagination", async (t) => {
  const { admin, database, acme, id } = await setup(t);
  const { db } = database;
  const base = `/businesses/${acme.businessId}/numbers`;
  const range = async (query: string) =>
    /id="number-range" class="range">([^<]+)</.exec(
      (await admin.inject({ url: `${base}?${query}`, headers: RESULTS })).body,
    )?.[1];
  t.equal(await range(`unit=${acme.unitId}`), "1–4 of 4");
  t.equal(await range(`program=${acme.programId}`), "1–3 of 3");
  t.equal(await range(`purpose=${await callPurposeId(db, "customer_service")}`), "1–5 of 5");
  t.equal(await range(`purpose=${await callPurposeId(db, "survey")}`), "0 numbers");
  t.equal(await range("status=active"), "1–3 of 3");
  t.equal(await range("status=unassigned"), "1–2 of 2");
  t.equal(await range("status=expired"), "0 numbers");
  t.equal(await range("status=bogus&unit=abc"), "1–5 of 5", "unknown filter values are ignored");

  await db
    .updateTable("programs")
    .set({ ends_on: new Date(Date.now() + 10 * 864e5).toISOString().slice(0, 10) })
    .execute();
  t.equal(await range("status=expiring"), "1–3 of 3", "ending within 30 days");
  await db.updateTable("programs").set({ starts_on: "2999-01-01", ends_on: null }).execute();
  t.equal(await range("status=scheduled"), "1–3 of 3");

  const sorted = (await admin.inject({ url: `${base}?sort=number`, headers: RESULTS })).body;
  const order = [...sorted.matchAll(/<abbr title="(\+\d+)"/g)].map((m) => m[1]);
  t.same(order, ["+12133734253", "+12133734254", "+13107284411", "+14153734200", "+16175550100"]);

  for (let i = 0; i < 60; i++) {
    await insertNumber(db, `+1213728${String(1000 + i)}`, { businessId: acme.businessId });
  }
  t.equal(await range(""), "1–50 of 65");
  const second = await admin.inject({ url: `${base}?page=2`, headers: RESULTS });
  t.match(second.body, /51–65 of 65/);
  t.match(second.body, /aria-current="page" class="current">2</);
  t.match(second.body, /rel="prev"/);
  t.equal(await range("page=99"), "51–65 of 65", "a page past the end shows the last one");
  t.equal(await range("page=-3"), "1–50 of 65");
  t.ok(await id("+12133734253"));
});

t.test("CSV export: the current view, attachment, formula-safe", async (t) => {
  const { admin, database, acme } = await setup(t);
  await database.db
    .updateTable("programs")
    .set({ display_name: '=HYPERLINK("http://evil")' })
    .execute();
  const res = await admin.inject({ url: `/businesses/${acme.businessId}/numbers.csv?q=3734` });
  t.equal(res.statusCode, 200);
  t.match(String(res.headers["content-type"]), /^text\/csv/);
  t.match(
    String(res.headers["content-disposition"]),
    /^attachment; filename="numbers-businesses-\d+-\d{4}-\d{2}-\d{2}\.csv"$/,
  );
  const lines = res.body.trim().split("\r\n");
  t.equal(
    lines[0],
    "phone_number,national_format,business,business_unit,program,display_name,call_purpose,program_starts_on,program_ends_on,status,added_at",
  );
  t.equal(lines.length, 4, "header and the 3 matching numbers");
  t.match(
    lines[1],
    /^\+12133734253,\(213\) 373-4253,ACME Corp,Billing,Q4 Reminders,"'=HYPERLINK\(""http:\/\/evil""\)",Customer Service,2026-01-01,,Active,/,
  );
  const unit = await admin.inject({ url: `/units/${acme.unitId}/numbers.csv` });
  t.equal(unit.body.trim().split("\r\n").length, 5);
});

t.test("display names are escaped in the table, dialogs and pages", async (t) => {
  const { admin, database, acme, id } = await setup(t);
  await database.db
    .updateTable("programs")
    .set({ display_name: "<img src=x onerror=alert(1)>" })
    .execute();
  const number = await id("+12133734253");
  for (const url of [
    `/businesses/${acme.businessId}/numbers`,
    `/numbers/${number}/assignments`,
    `/numbers/${number}/remove`,
  ]) {
    for (const headers of [{}, HX]) {
      const body = (await admin.inject({ url, headers })).body;
      t.notMatch(body, /<img src=x/, url);
      t.match(body, /&lt;img src=x onerror=alert\(1\)&gt;/, url);
    }
  }
});

t.test("View Assignments: where the number sits, its program and its history", async (t) => {
  const { admin, id } = await setup(t);
  const number = await id("+12133734253");
  const dialog = await admin.inject({ url: `/numbers/${number}/assignments`, headers: RESULTS });
  t.notMatch(dialog.body, /<html/);
  for (const text of [
    "(213) 373-4253",
    "+12133734253",
    "ACME Corp",
    "Billing",
    "Q4 Reminders",
    "ACME Billing",
    "2026-01-01 – open end",
    "Active",
  ]) {
    t.match(dialog.body, text);
  }
  t.match(dialog.body, /No changes recorded yet\./);
  const page = await admin.inject({ url: `/numbers/${number}/assignments` });
  t.match(page.body, /<html/, "a full page without JavaScript");
  t.match(
    page.body,
    /href="\/programs\/\d+\/numbers" data-close-dialog/,
    "Close goes back to its dashboard",
  );
});

t.test(
  "Edit: call purpose, in place with htmx, 303 without; audited; bad input refused",
  async (t) => {
    const { admin, database, acme, id } = await setup(t);
    const { db } = database;
    const number = await id("+12133734253");
    const survey = String(await callPurposeId(db, "survey"));
    const back = `/businesses/${acme.businessId}/numbers?q=373`;

    const form1 = await admin.inject({
      url: `/numbers/${number}/edit?return_to=${encodeURIComponent(back)}`,
      headers: RESULTS,
    });
    t.match(form1.body, /<option value="\d+" selected>Customer Service</);
    t.match(form1.body, new RegExp(`name="return_to" value="${back.replace(/[?]/g, "\\?")}"`));

    const saved = await admin.inject({
      method: "POST",
      url: `/numbers/${number}/edit`,
      ...form({ call_purpose: survey, return_to: back }, RESULTS),
    });
    t.equal(saved.statusCode, 200);
    t.match(String(saved.headers["hx-trigger"]), /numbers-changed/);
    t.match(saved.body, /\(213\) 373-4253 now has the call purpose Survey\./);
    const row = await db
      .selectFrom("phone_numbers")
      .select("call_purpose_id")
      .where("id", "=", number)
      .executeTakeFirstOrThrow();
    t.equal(row.call_purpose_id, Number(survey));
    const event = await db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "number.update")
      .executeTakeFirstOrThrow();
    t.equal(event.phone_number, "+12133734253");
    t.match(JSON.parse(String(event.before_json)), { call_purpose: "Customer Service" });
    t.match(JSON.parse(String(event.after_json)), { call_purpose: "Survey" });
    const history = await admin.inject({ url: `/numbers/${number}/assignments`, headers: RESULTS });
    t.match(
      history.body,
      /Changed the call purpose of \(213\) 373-4253 from Customer Service to Survey/,
    );

    const plain = await admin.inject({
      method: "POST",
      url: `/numbers/${number}/edit`,
      ...form({ call_purpose: String(await callPurposeId(db, "charity")), return_to: back }),
    });
    t.equal(plain.statusCode, 303);
    t.equal(plain.headers.location, back);
    const offsite = await admin.inject({
      method: "POST",
      url: `/numbers/${number}/edit`,
      ...form({ call_purpose: survey, return_to: "//evil.example" }),
    });
    t.equal(offsite.headers.location, `/programs/${acme.programId}/numbers`, "no open redirect");

    const bad = await admin.inject({
      method: "POST",
      url: `/numbers/${number}/edit`,
      ...form({ call_purpose: "9999" }, RESULTS),
    });
    t.equal(bad.statusCode, 422);
    t.match(bad.body, /Choose a call purpose from the list\./);
    await setCallPurposeRetired(db, await portalAdmin(db), await callPurposeId(db, "prison"), true);
    const retired = await admin.inject({
      method: "POST",
      url: `/numbers/${number}/edit`,
      ...form({ call_purpose: String(await callPurposeId(db, "prison")) }),
    });
    t.equal(retired.statusCode, 422);
    t.match(retired.body, /Prison is retired/);
    const dno = await admin.inject({ url: `/numbers/${number}/edit`, headers: RESULTS });
    const dnoId = await callPurposeId(db, "do_not_originate");
    t.match(
      dno.body,
      new RegExp(`<option value="${dnoId}" data-dno>Do Not Originate<`),
      "the Do Not Originate option is marked, not chosen: its warning (CSS) waits for that choice",
    );
    t.match(dno.body, /class="notice notice-warning dno-warning" id="dno-warning"/);
  },
);

t.test("Remove: names what stops, deletes with a snapshot, and the row is gone", async (t) => {
  const { admin, database, acme, id } = await setup(t);
  const { db } = database;
  const number = await id("+12133734253");
  const warning = await admin.inject({ url: `/numbers/${number}/remove`, headers: RESULTS });
  t.match(
    warning.body,
    /\(213\) 373-4253<\/strong> will no longer display <strong><bdi>ACME Billing<\/bdi><\/strong>/,
  );
  const removed = await admin.inject({
    method: "POST",
    url: `/numbers/${number}/remove`,
    ...form({}, RESULTS),
  });
  t.equal(removed.statusCode, 200);
  t.match(removed.body, /Removed \(213\) 373-4253\. It no longer displays ACME Billing\./);
  t.match(String(removed.headers["hx-trigger"]), /numbers-changed/);
  t.equal(
    (await db.selectFrom("phone_numbers").select("id").where("id", "=", number).execute()).length,
    0,
  );
  const event = await db
    .selectFrom("audit_events")
    .selectAll()
    .where("action", "=", "number.remove")
    .executeTakeFirstOrThrow();
  t.match(JSON.parse(String(event.before_json)), {
    e164: "+12133734253",
    business_id: acme.businessId,
    business_unit_id: acme.unitId,
    program_id: acme.programId,
    display_name: "ACME Billing",
    call_purpose: "Customer Service",
  });
  t.equal(
    (await admin.inject({ method: "POST", url: `/numbers/${number}/remove` })).statusCode,
    404,
    "gone",
  );
  const list = await admin.inject({
    url: `/businesses/${acme.businessId}/numbers`,
    headers: RESULTS,
  });
  t.match(list.body, /1–4 of 4/, "the count follows at once");

  const unitNumber = await id("+14153734200");
  const plain = await admin.inject({
    method: "POST",
    url: `/numbers/${unitNumber}/remove`,
    ...form({ return_to: `/units/${acme.unitId}/numbers` }),
  });
  t.equal(plain.statusCode, 303);
  t.equal(plain.headers.location, `/units/${acme.unitId}/numbers`);
  t.equal(
    (await admin.inject({ url: `/numbers/${unitNumber}/remove`, method: "GET" })).statusCode,
    404,
  );
});

t.test("access: numbers outside the scope do not exist; viewers only look", async (t) => {
  const { app, database, acme, globex, id } = await setup(t);
  const { db } = database;
  const editor = (await userAgent(app, db, "ed@acme.test", "editor", `unit:${acme.unitId}`)).agent;
  const viewer = (await userAgent(app, db, "vi@acme.test", "viewer", `unit:${acme.unitId}`)).agent;
  const mine = await id("+12133734253");
  const businessLevel = await id("+16175550100");
  const foreign = await id("+12133739999");
  for (const url of [
    `/numbers/${foreign}/assignments`,
    `/numbers/${foreign}/edit`,
    `/numbers/${businessLevel}/edit`,
  ]) {
    t.equal((await editor.inject({ url, headers: HTML })).statusCode, 404, `editor ${url}`);
  }
  t.equal(
    (await editor.inject({ method: "POST", url: `/numbers/${foreign}/remove`, ...form({}) }))
      .statusCode,
    404,
  );
  t.equal(
    (await db.selectFrom("phone_numbers").select("id").where("id", "=", foreign).execute()).length,
    1,
    "nothing removed",
  );
  t.equal(
    (await editor.inject({ url: `/businesses/${acme.businessId}/numbers`, headers: HTML }))
      .statusCode,
    404,
  );
  t.equal(
    (await editor.inject({ url: `/units/${globex.unitId}/numbers`, headers: HTML })).statusCode,
    404,
  );
  t.equal((await editor.inject({ url: `/numbers/${mine}/edit`, headers: HTML })).statusCode, 200);

  const view = await viewer.inject({ url: `/units/${acme.unitId}/numbers`, headers: HTML });
  t.equal(view.statusCode, 200);
  t.match(view.body, /View Assignments/);
  t.notMatch(view.body, />Edit<|>Remove</, "a viewer's menu has no Edit or Remove");
  t.equal((await viewer.inject({ url: `/numbers/${mine}/edit`, headers: HTML })).statusCode, 403);
  t.equal(
    (await viewer.inject({ method: "POST", url: `/numbers/${mine}/remove`, ...form({}) }))
      .statusCode,
    403,
  );
  t.equal(
    (await viewer.inject({ url: `/numbers/${mine}/assignments`, headers: HTML })).statusCode,
    200,
  );
});

t.test("Remove offers Undo: the confirmation's button restores the number", async (t) => {
  const { admin, database, acme, id } = await setup(t);
  const { db } = database;
  const exists = (e164: string) => hasNumber(db, e164);
  const back = `/units/${acme.unitId}/numbers`;

  // Without JavaScript: the message on the next page carries the Undo form.
  const plain = await admin.inject({
    method: "POST",
    url: `/numbers/${await id("+14153734200")}/remove`,
    ...form({ return_to: back }),
  });
  t.equal(plain.statusCode, 303);
  const removal = await db
    .selectFrom("audit_events")
    .select("id")
    .where("action", "=", "number.remove")
    .where("phone_number", "=", "+14153734200")
    .executeTakeFirstOrThrow();
  const page = await admin.inject({ url: back, headers: HTML });
  t.match(page.body, /Removed \(415\) 373-4200\./);
  t.match(
    page.body,
    new RegExp(
      `<form method="post" action="/removed/${removal.id}/restore" class="inline-form flash-undo">`,
    ),
  );
  t.match(page.body, new RegExp(`name="return_to" value="${back}"`));
  t.notOk(await exists("+14153734200"));
  const undone = await admin.inject({
    method: "POST",
    url: `/removed/${removal.id}/restore`,
    ...form({ return_to: back }),
  });
  t.equal(undone.statusCode, 303);
  t.equal(undone.headers.location, back, "back on the same page");
  t.ok(await exists("+14153734200"), "Undo put it back");

  // With htmx: the message swapped in carries it too.
  const number = await id("+12133734253");
  const hx = await admin.inject({
    method: "POST",
    url: `/numbers/${number}/remove`,
    ...form({}, RESULTS),
  });
  t.match(hx.body, /hx-swap-oob/);
  t.match(hx.body, /action="\/removed\/\d+\/restore" class="inline-form flash-undo"/);
  t.match(hx.body, /name="_csrf" value="[^"]+"/, "with the session's CSRF token");

  // A script gets the removal's id to restore it by.
  const again = await admin.inject({
    method: "POST",
    url: `/numbers/${await id("+12133734254")}/remove`,
    ...form({}, { accept: "application/json" }),
  });
  t.type(again.json().removal_id, "number");

  // A forged flash cookie cannot aim the button anywhere but a restore.
  const forged = await admin.inject({
    url: back,
    headers: HTML,
    cookies: {
      nd_flash: JSON.stringify({
        kind: "success",
        message: "Hello",
        undo: { action: "/users/1/disable", returnTo: "/" },
      }),
    },
  });
  t.match(forged.body, /Hello/);
  t.notMatch(forged.body, /flash-undo/, "no Undo for other actions");
});

t.test(
  "the table's rendered rows are kept until the data moves, and per viewer and return place",
  async (t) => {
    const { app, admin, database, acme, id } = await setup(t);
    const { db } = database;
    const viewer = (await userAgent(app, db, "vi@acme.test", "viewer", `unit:${acme.unitId}`))
      .agent;
    const url = `/units/${acme.unitId}/numbers`;
    const number = await id("+12133734253");
    const rowOf = (body: string) =>
      body.match(new RegExp(`<tr id="number-${number}">[\\s\\S]*?</tr>`))?.[0] ?? "";

    const first = rowOf((await admin.inject({ url, headers: HTML })).body);
    t.match(first, /<td class="c-purpose">Customer Service</);
    t.match(first, />Edit</, "the admin may edit");
    const again = await admin.inject({ url, headers: RESULTS });
    t.equal(rowOf(again.body), first, "the htmx swap shows the same rows");

    const viewed = rowOf((await viewer.inject({ url, headers: HTML })).body);
    t.match(viewed, /View Assignments/);
    t.notMatch(viewed, />Edit<|>Remove</, "not the rows rendered for an admin");

    const searched = rowOf((await admin.inject({ url: `${url}?q=373`, headers: HTML })).body);
    t.match(searched, /return_to=%2Funits%2F\d+%2Fnumbers%3Fq%3D373/, "menus come back here");

    const survey = String(await callPurposeId(db, "survey"));
    const saved = await admin.inject({
      method: "POST",
      url: `/numbers/${number}/edit`,
      ...form({ call_purpose: survey, return_to: url }, RESULTS),
    });
    t.equal(saved.statusCode, 200);
    await nextTurn();
    t.match(
      rowOf((await admin.inject({ url, headers: HTML })).body),
      /<td class="c-purpose">Survey</,
      "an edit shows at once",
    );
    t.match(
      rowOf((await viewer.inject({ url, headers: HTML })).body),
      /<td class="c-purpose">Survey</,
      "for every viewer",
    );
  },
);
