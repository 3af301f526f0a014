import t from "tap";
import { buildTestApp, form, HX } from "../helpers/app.js";
import { countRows } from "../helpers/fixtures.js";

t.test("call purposes: the seeded catalog, add, rename, retire and reinstate", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;

  const page = await admin.inject({ url: "/call-purposes" });
  t.equal(page.statusCode, 200);
  for (const name of [
    "Customer Service",
    "Informational/Notification",
    "Appointment Reminder",
    "Debt Collection",
    "Charity",
    "Political",
    "Survey",
    "Telemarketing",
    "Multi-Use Line",
    "Prison",
    "Do Not Originate",
  ]) {
    t.match(page.body, `<td><bdi>${name}`, `seeded: ${name}`);
  }
  t.match(page.body, /Do Not Originate<\/bdi> <span class="tag tag-warning">never places calls/);
  const fragment = await admin.inject({ url: "/call-purposes", headers: HX });
  t.notMatch(fragment.body, /<html/);

  t.equal((await admin.inject({ url: "/call-purposes/new" })).statusCode, 200);
  const added = await admin.inject({
    method: "POST",
    url: "/call-purposes/new",
    ...form({ name: "Fraud Alert" }),
  });
  t.equal(added.statusCode, 303);
  t.equal(added.headers.location, "/call-purposes");
  const dup = await admin.inject({
    method: "POST",
    url: "/call-purposes/new",
    ...form({ name: "survey" }, HX),
  });
  t.equal(dup.statusCode, 422);
  t.match(dup.body, /A call purpose named “Survey” already exists\./);
  t.equal(await countRows(db, "call_purposes"), 12);

  const fraud = await db
    .selectFrom("call_purposes")
    .selectAll()
    .where("name", "=", "Fraud Alert")
    .executeTakeFirstOrThrow();
  const renamed = await admin.inject({
    method: "POST",
    url: `/call-purposes/${fraud.id}/edit`,
    ...form({ name: "Fraud Alerts" }, HX),
  });
  t.equal(renamed.statusCode, 200);
  t.match(renamed.body, /Call purpose Fraud Alerts saved\./);

  const retired = await admin.inject({ method: "POST", url: `/call-purposes/${fraud.id}/retire` });
  t.equal(retired.statusCode, 303);
  const afterRetire = await db
    .selectFrom("call_purposes")
    .select("retired_at")
    .where("id", "=", fraud.id)
    .executeTakeFirstOrThrow();
  t.ok(afterRetire.retired_at, "retired_at is set");
  const list = await admin.inject({ url: "/call-purposes", headers: HX });
  t.match(list.body, /<tr class="retired">\s*<td><bdi>Fraud Alerts/);
  t.match(list.body, /Reinstate Fraud Alerts/);

  const again = await admin.inject({
    method: "POST",
    url: `/call-purposes/${fraud.id}/retire`,
    headers: HX,
  });
  t.equal(again.statusCode, 200, "retiring twice is harmless");
  const reinstated = await admin.inject({
    method: "POST",
    url: `/call-purposes/${fraud.id}/reinstate`,
  });
  t.equal(reinstated.statusCode, 303);
  const back = await db
    .selectFrom("call_purposes")
    .select("retired_at")
    .where("id", "=", fraud.id)
    .executeTakeFirstOrThrow();
  t.equal(back.retired_at, null);

  const actions = await db
    .selectFrom("audit_events")
    .select("action")
    .where("subject_type", "=", "call_purpose")
    .orderBy("id")
    .execute();
  t.same(
    actions.map((a) => a.action),
    ["call_purpose.create", "call_purpose.update", "call_purpose.retire", "call_purpose.reinstate"],
  );

  t.equal((await admin.inject({ url: "/call-purposes/999/edit" })).statusCode, 404);
  t.equal(
    (await admin.inject({ method: "POST", url: "/call-purposes/999/retire" })).statusCode,
    404,
  );
});

t.test("state changes through GET do not exist", async (t) => {
  const { admin, close } = await buildTestApp();
  t.teardown(close);
  const res = await admin.inject({ url: "/call-purposes/1/retire" });
  t.equal(res.statusCode, 404);
});
