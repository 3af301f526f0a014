import t from "tap";
import { buildTestApp, form, HX } from "../helpers/app.js";
import { countRows, insertNumber, makeTree } from "../helpers/fixtures.js";

t.test("businesses: list, create, rename, delete — plain and with htmx", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;

  const empty = await admin.inject({ url: "/businesses" });
  t.equal(empty.statusCode, 200);
  t.match(empty.body, /<html/);
  t.match(empty.body, /No businesses yet/, "an empty state says what to do");

  const created = await admin.inject({
    method: "POST",
    url: "/businesses/new",
    ...form({ name: "  ACME   Corp " }),
  });
  t.equal(created.statusCode, 303);
  t.equal(created.headers.location, "/businesses");
  t.match(
    String(created.headers["set-cookie"]),
    /nd_flash=/,
    "a flash message follows the redirect",
  );

  const list = await admin.inject({
    url: "/businesses",
    cookies: {
      nd_flash: JSON.stringify({ kind: "success", message: "Business ACME Corp created." }),
    },
  });
  t.match(list.body, /<a href="\/businesses\/1"><bdi>ACME Corp<\/bdi><\/a>/, "name is normalised");
  t.match(list.body, /Business ACME Corp created\./, "flash is shown");

  const fragment = await admin.inject({ url: "/businesses", headers: HX });
  t.notMatch(fragment.body, /<html/, "htmx gets the list fragment");
  t.match(fragment.body, /id="business-list"/);
  t.match(String(fragment.headers.vary), /HX-Request/);

  const hxCreate = await admin.inject({
    method: "POST",
    url: "/businesses/new",
    ...form({ name: "Globex" }, HX),
  });
  t.equal(hxCreate.statusCode, 200);
  t.same(JSON.parse(String(hxCreate.headers["hx-trigger"])), {
    "hierarchy-changed": null,
    "dialog-close": null,
  });
  t.match(
    hxCreate.body,
    /<div id="flash"[^>]*hx-swap-oob="innerHTML"/,
    "the flash swaps into the live region",
  );
  t.match(hxCreate.body, /Business Globex created\./);

  const dup = await admin.inject({
    method: "POST",
    url: "/businesses/new",
    ...form({ name: "acme corp" }),
  });
  t.equal(dup.statusCode, 422);
  t.match(dup.body, /A business named “ACME Corp” already exists\./);
  t.match(dup.body, /aria-invalid="true"/);
  t.match(dup.body, /value="acme corp"/, "the user's input is kept");
  t.match(dup.body, /<html/, "without htmx the form is a full page");

  const hxDup = await admin.inject({
    method: "POST",
    url: "/businesses/new",
    ...form({ name: "" }, HX),
  });
  t.equal(hxDup.statusCode, 422);
  t.notMatch(hxDup.body, /<html/);
  t.match(hxDup.body, /Enter a business name\./);

  const tooLong = await admin.inject({
    method: "POST",
    url: "/businesses/new",
    ...form({ name: "x".repeat(101) }),
  });
  t.equal(tooLong.statusCode, 422);
  t.equal(await countRows(db, "businesses"), 2, "nothing written by bad input");

  const editPage = await admin.inject({ url: "/businesses/1/edit" });
  t.equal(editPage.statusCode, 200);
  t.match(editPage.body, /value="ACME Corp"/);
  const renamed = await admin.inject({
    method: "POST",
    url: "/businesses/1/edit",
    ...form({ name: "ACME Inc" }),
  });
  t.equal(renamed.statusCode, 303);
  const clash = await admin.inject({
    method: "POST",
    url: "/businesses/1/edit",
    ...form({ name: "GLOBEX" }),
  });
  t.equal(clash.statusCode, 422);
  const same = await admin.inject({
    method: "POST",
    url: "/businesses/1/edit",
    ...form({ name: "acme inc" }),
  });
  t.equal(same.statusCode, 303, "a business may change the case of its own name");

  const missing = await admin.inject({ url: "/businesses/999/edit" });
  t.equal(missing.statusCode, 404);
  const missingPost = await admin.inject({
    method: "POST",
    url: "/businesses/999/edit",
    ...form({ name: "X" }),
  });
  t.equal(missingPost.statusCode, 404);

  const confirm = await admin.inject({ url: "/businesses/2/delete" });
  t.match(confirm.body, /Delete business Globex\?/);
  const hxConfirm = await admin.inject({ url: "/businesses/2/delete", headers: HX });
  t.notMatch(hxConfirm.body, /<html/);
  const deleted = await admin.inject({ method: "POST", url: "/businesses/2/delete" });
  t.equal(deleted.statusCode, 303);
  t.equal(await countRows(db, "businesses"), 1);

  const actions = await db.selectFrom("audit_events").select("action").orderBy("id").execute();
  t.same(
    actions.map((a) => a.action).filter((a) => a.startsWith("business.")),
    ["business.create", "business.create", "business.update", "business.update", "business.delete"],
    "every change is audited",
  );
});

t.test(
  "deleting a business that holds numbers is refused with the count; an empty tree goes",
  async (t) => {
    const { admin, database, close } = await buildTestApp();
    t.teardown(close);
    const tree = await makeTree(database.db);
    await insertNumber(database.db, "+12133734253", { businessId: tree.businessId });
    await insertNumber(database.db, "+12133734254", {
      businessId: tree.businessId,
      unitId: tree.unitId,
    });

    const page = await admin.inject({ url: `/businesses/${tree.businessId}/delete` });
    t.match(page.body, /still holds 2 phone numbers/);
    t.notMatch(page.body, />Delete<\/button>/, "no Delete button while it holds numbers");
    const refused = await admin.inject({
      method: "POST",
      url: `/businesses/${tree.businessId}/delete`,
      headers: HX,
    });
    t.equal(refused.statusCode, 409);
    t.match(refused.body, /ACME Corp still holds 2 phone numbers/);
    t.equal(await countRows(database.db, "businesses"), 1, "nothing deleted");

    await database.db.deleteFrom("phone_numbers").execute();
    const check = await admin.inject({ url: `/businesses/${tree.businessId}/delete` });
    t.match(check.body, /Its 1 business unit and 1 program will be deleted with it/);
    const ok = await admin.inject({ method: "POST", url: `/businesses/${tree.businessId}/delete` });
    t.equal(ok.statusCode, 303);
    t.equal(await countRows(database.db, "programs"), 0, "its programs went with it");
  },
);

t.test("a repeated field is a 400, not one value silently winning", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const res = await admin.inject({
    method: "POST",
    url: "/businesses/new",
    ...form([
      ["name", "A"],
      ["name", "B"],
    ]),
  });
  t.equal(res.statusCode, 400);
  t.equal(await countRows(database.db, "businesses"), 0);
});
