import t from "tap";
import { setCallPurposeRetired } from "../../src/services/hierarchy/call-purposes.js";
import { buildTestApp, form, HX } from "../helpers/app.js";
import {
  callPurposeId,
  countRows,
  insertNumber,
  makeTree,
  portalAdmin,
} from "../helpers/fixtures.js";

const valid = (purpose: number) => ({
  name: "Spring Survey",
  display_name: "ACME Research",
  call_purpose: String(purpose),
  starts_on: "2020-03-01",
  ends_on: "2020-05-31",
});

t.test("programs: create at unit and business level, list with status, show, edit", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;
  const tree = await makeTree(db);
  const survey = await callPurposeId(db, "survey");

  const unitList = await admin.inject({ url: `/units/${tree.unitId}/programs` });
  t.equal(unitList.statusCode, 200);
  t.match(unitList.body, /Q4 Reminders/);
  t.match(unitList.body, /status-active/, "an open-ended program that started is Active");
  t.notMatch(
    unitList.body,
    /<th scope="col">Business unit<\/th>/,
    "a unit's list has no unit column",
  );

  const newForm = await admin.inject({ url: `/units/${tree.unitId}/programs/new`, headers: HX });
  t.notMatch(newForm.body, /name="unit_id"/, "at unit level the unit comes from the URL");
  t.match(newForm.body, /Do Not Originate/);

  const created = await admin.inject({
    method: "POST",
    url: `/units/${tree.unitId}/programs/new`,
    ...form(valid(survey)),
  });
  t.equal(created.statusCode, 303);
  t.equal(created.headers.location, `/units/${tree.unitId}/programs`);

  const businessForm = await admin.inject({ url: `/businesses/${tree.businessId}/programs/new` });
  t.match(businessForm.body, /name="unit_id"/, "at business level the unit is chosen");
  const atBusiness = await admin.inject({
    method: "POST",
    url: `/businesses/${tree.businessId}/programs/new`,
    ...form(
      {
        ...valid(survey),
        name: "Future",
        starts_on: "2999-01-01",
        ends_on: "",
        unit_id: String(tree.unitId),
      },
      HX,
    ),
  });
  t.equal(atBusiness.statusCode, 200);
  t.match(String(atBusiness.headers["hx-trigger"]), /hierarchy-changed/);

  const businessList = await admin.inject({
    url: `/businesses/${tree.businessId}/programs`,
    headers: HX,
  });
  t.match(businessList.body, /<th scope="col">Business unit<\/th>/);
  t.match(businessList.body, /Spring Survey[\s\S]*status-expired/, "a past program is Expired");
  t.match(businessList.body, /Future[\s\S]*status-scheduled/, "a future program is Scheduled");

  const program = await db
    .selectFrom("programs")
    .selectAll()
    .where("name", "=", "Spring Survey")
    .executeTakeFirstOrThrow();
  const show = await admin.inject({ url: `/programs/${program.id}/details` });
  t.equal(show.statusCode, 200);
  t.match(show.body, /ACME Research/);
  t.match(show.body, /2020-03-01 – 2020-05-31/);
  t.match(show.body, /aria-label="Program: Spring Survey/, "the switcher shows the program level");

  const edit = await admin.inject({ url: `/programs/${program.id}/edit` });
  t.match(edit.body, /value="ACME Research"/);
  const saved = await admin.inject({
    method: "POST",
    url: `/programs/${program.id}/edit`,
    ...form({ ...valid(survey), display_name: "ACME Surveys", ends_on: "" }),
  });
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, `/programs/${program.id}/details`);
  const event = await db
    .selectFrom("audit_events")
    .selectAll()
    .where("action", "=", "program.update")
    .executeTakeFirstOrThrow();
  t.same(JSON.parse(String(event.before_json)), {
    display_name: "ACME Research",
    ends_on: "2020-05-31",
  });
  t.same(JSON.parse(String(event.after_json)), { display_name: "ACME Surveys", ends_on: null });
});

t.test("programs: every bad input is a 422 with its message and nothing is written", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;
  const tree = await makeTree(db);
  const other = await makeTree(db, "Globex");
  const survey = await callPurposeId(db, "survey");
  const before = await countRows(db, "programs");
  const post = (fields: Record<string, string>, url = `/units/${tree.unitId}/programs/new`) =>
    admin.inject({ method: "POST", url, ...form(fields) });

  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ["empty name", { ...valid(survey), name: "" }, /Enter a program name\./],
    ["101-character name", { ...valid(survey), name: "x".repeat(101) }, /at most 100 characters/],
    [
      "duplicate name in the unit",
      { ...valid(survey), name: "q4 reminders" },
      /Billing already has a program named “Q4 Reminders”/,
    ],
    [
      "33-character display name",
      { ...valid(survey), display_name: "x".repeat(33) },
      /at most 32 characters \(this one has 33\)/,
    ],
    [
      "forbidden characters",
      { ...valid(survey), display_name: "ACME <Billing>" },
      /not: &lt; &gt;/,
    ],
    [
      "leading space",
      { ...valid(survey), display_name: " ACME" },
      /cannot start or end with a space/,
    ],
    [
      "end before start",
      { ...valid(survey), starts_on: "2026-05-01", ends_on: "2026-04-30" },
      /The end date must be on or after the start date\./,
    ],
    ["impossible date", { ...valid(survey), starts_on: "2026-02-30" }, /real date/],
    [
      "unknown call purpose",
      { ...valid(survey), call_purpose: "9999" },
      /Choose a call purpose from the list\./,
    ],
    [
      "non-numeric call purpose",
      { ...valid(survey), call_purpose: "1 OR 1=1" },
      /Choose a call purpose from the list\./,
    ],
  ];
  for (const [label, fields, message] of cases) {
    const res = await post(fields);
    t.equal(res.statusCode, 422, label);
    t.match(res.body, message, label);
    t.match(res.body, /aria-invalid="true"/, `${label}: the field is marked invalid`);
  }

  const foreignUnit = await post(
    { ...valid(survey), unit_id: String(other.unitId) },
    `/businesses/${tree.businessId}/programs/new`,
  );
  t.equal(foreignUnit.statusCode, 422, "a unit id from another business is refused");
  t.match(foreignUnit.body, /Choose one of ACME Corp’s business units\./);
  const noUnit = await post({ ...valid(survey) }, `/businesses/${tree.businessId}/programs/new`);
  t.equal(noUnit.statusCode, 422);

  // At unit level a tampered unit_id is ignored: the URL decides where the program goes.
  const tampered = await post({
    ...valid(survey),
    name: "Tampered",
    unit_id: String(other.unitId),
  });
  t.equal(tampered.statusCode, 303);
  const placed = await db
    .selectFrom("programs")
    .select("business_unit_id")
    .where("name", "=", "Tampered")
    .executeTakeFirstOrThrow();
  t.equal(placed.business_unit_id, tree.unitId);

  t.equal(await countRows(db, "programs"), before + 1, "only the valid post wrote a program");
  t.equal((await admin.inject({ url: "/programs/9999" })).statusCode, 404);
  t.equal((await admin.inject({ url: "/programs/9999/edit" })).statusCode, 404);
  t.equal((await admin.inject({ method: "POST", url: "/programs/9999/delete" })).statusCode, 404);
});

t.test("a retired purpose is not offered anew but stays on a program that has it", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;
  const tree = await makeTree(db);
  const customerService = await callPurposeId(db, "customer_service");
  await setCallPurposeRetired(db, await portalAdmin(db), customerService, true);

  const refused = await admin.inject({
    method: "POST",
    url: `/units/${tree.unitId}/programs/new`,
    ...form({ ...valid(customerService), name: "New" }),
  });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, /Customer Service is retired; choose another call purpose\./);

  const edit = await admin.inject({ url: `/programs/${tree.programId}/edit` });
  t.match(
    edit.body,
    /selected>Customer Service \(retired\)/,
    "the current retired purpose stays selected",
  );
  const kept = await admin.inject({
    method: "POST",
    url: `/programs/${tree.programId}/edit`,
    ...form({ ...valid(customerService), name: "Q4 Reminders", display_name: "ACME Billing Dept" }),
  });
  t.equal(kept.statusCode, 303);
});

t.test("Do Not Originate shows its warning when it is the chosen purpose", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const tree = await makeTree(database.db);
  const dno = await callPurposeId(database.db, "do_not_originate");
  const res = await admin.inject({
    method: "POST",
    url: `/units/${tree.unitId}/programs/new`,
    ...form({ ...valid(dno), display_name: "" }),
  });
  t.equal(res.statusCode, 422);
  // Shown by CSS while the marked option is chosen (app.css, :has): the server marks it.
  t.match(res.body, new RegExp(`<option value="${dno}" data-dno selected>Do Not Originate<`));
  t.match(
    res.body,
    /<p class="notice notice-warning dno-warning" id="dno-warning">Do Not Originate/,
  );
  t.notMatch(res.body, /id="dno-warning" hidden/, "never hidden by an attribute CSS cannot undo");
});

t.test("deleting a program: refused while it holds numbers", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const tree = await makeTree(database.db);
  await insertNumber(database.db, "+12133734253", {
    businessId: tree.businessId,
    unitId: tree.unitId,
    programId: tree.programId,
  });
  const refused = await admin.inject({
    method: "POST",
    url: `/programs/${tree.programId}/delete`,
    headers: HX,
  });
  t.equal(refused.statusCode, 409);
  t.match(refused.body, /Q4 Reminders still holds 1 phone number\./);
  await database.db.deleteFrom("phone_numbers").execute();
  const ok = await admin.inject({ method: "POST", url: `/programs/${tree.programId}/delete` });
  t.equal(ok.statusCode, 303);
  t.equal(ok.headers.location, `/units/${tree.unitId}/programs`);
  t.equal(await countRows(database.db, "programs"), 0);
});
