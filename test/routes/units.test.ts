import t from "tap";
import { buildTestApp, form, HX } from "../helpers/app.js";
import { countRows, insertNumber, makeTree } from "../helpers/fixtures.js";

t.test("units: list, create, rename, delete at business level — plain and with htmx", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;
  const tree = await makeTree(db);
  const base = `/businesses/${tree.businessId}/units`;

  const list = await admin.inject({ url: base });
  t.equal(list.statusCode, 200);
  t.match(list.body, /Business units/);
  t.match(list.body, /<a href="\/units\/\d+"><bdi>Billing<\/bdi><\/a>/);
  t.match(list.body, /class="level-switcher"/, "the page shows the level switcher");
  t.match(list.body, /class="support-button"/, "and the Support button");
  const fragment = await admin.inject({ url: base, headers: HX });
  t.notMatch(fragment.body, /<html/);
  t.match(fragment.body, /id="unit-list"/);

  const newPage = await admin.inject({ url: `${base}/new` });
  t.equal(newPage.statusCode, 200);
  t.match(newPage.body, /<html/, "without htmx the dialog is a page");
  const newDialog = await admin.inject({ url: `${base}/new`, headers: HX });
  t.match(newDialog.body, /id="dialog-title"/);
  t.notMatch(newDialog.body, /<html/);

  const created = await admin.inject({
    method: "POST",
    url: `${base}/new`,
    ...form({ name: "Sales" }),
  });
  t.equal(created.statusCode, 303);
  t.equal(created.headers.location, base);
  const hxCreated = await admin.inject({
    method: "POST",
    url: `${base}/new`,
    ...form({ name: "Support" }, HX),
  });
  t.equal(hxCreated.statusCode, 200);
  t.match(String(hxCreated.headers["hx-trigger"]), /hierarchy-changed/);

  const dup = await admin.inject({
    method: "POST",
    url: `${base}/new`,
    ...form({ name: "BILLING" }),
  });
  t.equal(dup.statusCode, 422);
  t.match(dup.body, /ACME Corp already has a business unit named “Billing”\./);
  const empty = await admin.inject({
    method: "POST",
    url: `${base}/new`,
    ...form({ name: "   " }, HX),
  });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, /Enter a business unit name\./);
  t.equal(await countRows(db, "business_units"), 3);

  // The same unit name is fine in another business.
  const other = await makeTree(db, "Globex");
  t.equal(await countRows(db, "business_units"), 4, "Billing exists in both businesses");

  const rename = await admin.inject({
    method: "POST",
    url: `/units/${tree.unitId}/edit`,
    ...form({ name: "Billing EU" }),
  });
  t.equal(rename.statusCode, 303);
  t.equal(rename.headers.location, base);
  const renamedList = await admin.inject({ url: base, headers: HX });
  t.match(renamedList.body, /Billing EU/);

  const missing = await admin.inject({ url: "/units/9999/edit" });
  t.equal(missing.statusCode, 404);
  const missingBusiness = await admin.inject({ url: "/businesses/9999/units" });
  t.equal(missingBusiness.statusCode, 404);
  const notAnId = await admin.inject({ url: "/units/12abc/edit" });
  t.equal(notAnId.statusCode, 404);

  // Deleting: a unit with a program but no numbers goes with its program.
  const confirm = await admin.inject({ url: `/units/${tree.unitId}/delete`, headers: HX });
  t.match(confirm.body, /Its 1 program will be deleted with it/);

  await insertNumber(db, "+13105550123", { businessId: other.businessId, unitId: other.unitId });
  const refused = await admin.inject({ method: "POST", url: `/units/${other.unitId}/delete` });
  t.equal(refused.statusCode, 409);
  t.match(refused.body, /Billing still holds 1 phone number\./);

  const deleted = await admin.inject({
    method: "POST",
    url: `/units/${tree.unitId}/delete`,
    headers: HX,
  });
  t.equal(deleted.statusCode, 200);
  t.match(deleted.body, /Business unit Billing EU deleted\./);
  t.equal(await countRows(db, "business_units"), 3);
  t.equal(await countRows(db, "programs"), 1, "only the other business's program is left");
});

t.test("a unit's own address and the home page redirect to a level screen", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const tree = await makeTree(database.db);
  const home = await admin.inject({ url: "/" });
  t.equal(home.statusCode, 303);
  t.equal(home.headers.location, "/businesses");
  const business = await admin.inject({ url: `/businesses/${tree.businessId}` });
  t.equal(business.headers.location, `/businesses/${tree.businessId}/numbers`);
  const unit = await admin.inject({ url: `/units/${tree.unitId}` });
  t.equal(unit.headers.location, `/units/${tree.unitId}/numbers`);
  t.equal((await admin.inject({ url: "/units/424242" })).statusCode, 404);
});
