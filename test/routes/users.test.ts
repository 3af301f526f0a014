import t from "tap";
import { Agent } from "../helpers/agent.js";
import { ADMIN_PASSWORD, buildTestApp, form, HX } from "../helpers/app.js";
import { makeTree } from "../helpers/fixtures.js";
import { userAgent } from "../helpers/users.js";

t.test(
  "users: create with a one-time password, change, disable, enable, new password",
  async (t) => {
    const { app, admin, database, close } = await buildTestApp();
    t.teardown(close);
    const { db } = database;
    const tree = await makeTree(db);
    const base = `/businesses/${tree.businessId}/users`;

    const empty = await admin.inject({ url: base });
    t.equal(empty.statusCode, 200);
    t.match(empty.body, /No users here yet/);
    const newForm = await admin.inject({ url: `${base}/new`, headers: HX });
    t.notMatch(newForm.body, /<html/);
    t.match(newForm.body, /<option value="business:\d+" selected>ACME Corp \(whole business\)/);
    t.match(newForm.body, /ACME Corp › Billing/);
    t.notMatch(newForm.body, /value="portal"/, "no portal scope at a business level");

    const created = await admin.inject({
      method: "POST",
      url: `${base}/new`,
      ...form({ email: "jo@acme.test", role: "editor", scope: `unit:${tree.unitId}` }, HX),
    });
    t.equal(created.statusCode, 201);
    t.equal(created.headers["hx-trigger"], JSON.stringify({ "users-changed": null }));
    const password = /<code id="one-time-password">([^<]+)<\/code>/.exec(created.body)?.[1] ?? "";
    t.ok(password.length >= 20, "the one-time password is shown");
    const row = await db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", "jo@acme.test")
      .executeTakeFirstOrThrow();
    t.equal(row.must_change_password, 1);
    t.not(row.password_hash, password, "stored hashed");

    const dup = await admin.inject({
      method: "POST",
      url: `${base}/new`,
      ...form({ email: "JO@acme.test", role: "viewer", scope: `business:${tree.businessId}` }),
    });
    t.equal(dup.statusCode, 422);
    t.match(dup.body, /already exists/);
    const bad = await admin.inject({
      method: "POST",
      url: `${base}/new`,
      ...form({ email: "not an email", role: "boss", scope: "unit:999" }),
    });
    t.equal(bad.statusCode, 422);
    t.match(bad.body, /Enter an email address/);
    t.match(bad.body, /Choose one of: Portal admin, Admin, Editor, Viewer\./);
    t.match(bad.body, /Choose where this user works/);

    // The new user signs in with the one-time password and must choose their own.
    const jo = new Agent(app);
    await jo.signIn("jo@acme.test", password).catch(() => undefined);
    const home = await jo.inject({ url: "/", headers: { accept: "text/html" } });
    t.equal(home.headers.location, "/account/password");

    const list = await admin.inject({ url: `/units/${tree.unitId}/users`, headers: HX });
    t.match(
      list.body,
      /jo@acme.test[\s\S]*Editor[\s\S]*ACME Corp › Billing[\s\S]*Must choose a password/,
    );

    const changed = await admin.inject({
      method: "POST",
      url: `/users/${row.id}/edit`,
      ...form({ role: "admin", scope: `business:${tree.businessId}` }),
    });
    t.equal(changed.statusCode, 303);
    t.equal(
      changed.headers.location,
      `/businesses/${tree.businessId}/users`,
      "back to the list the user now belongs to",
    );

    const disabled = await admin.inject({
      method: "POST",
      url: `/users/${row.id}/disable`,
      headers: HX,
    });
    t.equal(disabled.statusCode, 200);
    t.match(disabled.body, /jo@acme.test is disabled and signed out\./);
    t.equal(
      (await db.selectFrom("sessions").select("id").where("user_id", "=", row.id).execute()).length,
      0,
    );
    const enabled = await admin.inject({ method: "POST", url: `/users/${row.id}/enable` });
    t.equal(enabled.statusCode, 303);

    const reset = await admin.inject({ method: "POST", url: `/users/${row.id}/reset-password` });
    t.equal(reset.statusCode, 200);
    const second = /<code id="one-time-password">([^<]+)<\/code>/.exec(reset.body)?.[1] ?? "";
    t.ok(second && second !== password, "a new one-time password");

    const self = await admin.inject({ url: "/users/1/edit" });
    t.equal(self.statusCode, 403, "an admin does not change their own role here");

    const events = (
      await db
        .selectFrom("audit_events")
        .select("action")
        .where("subject_type", "=", "user")
        .execute()
    ).map((e) => e.action);
    for (const action of [
      "user.create",
      "user.update",
      "user.disable",
      "user.enable",
      "user.reset_password",
    ]) {
      t.ok(events.includes(action), `audited: ${action}`);
    }
  },
);

t.test("account: change password with the current one; sign out other sessions", async (t) => {
  const { app, admin, database, close } = await buildTestApp();
  t.teardown(close);
  const tree = await makeTree(database.db);
  const { agent } = await userAgent(
    app,
    database.db,
    "sam@acme.test",
    "viewer",
    `unit:${tree.unitId}`,
  );
  const page = await agent.inject({ url: "/account" });
  t.equal(page.statusCode, 200);
  t.match(page.body, /sam@acme.test/);
  t.match(page.body, /ACME Corp › Billing/);
  t.match(page.body, /This is your only session\./);
  t.match(page.body, /href="\/units\/\d+\/programs"/, "navigation of the user's own level");
  t.notMatch(page.body, /Business Units</, "a unit-scoped user has no business-level items");

  const wrong = await admin.inject({
    method: "POST",
    url: "/account/password",
    ...form({
      current_password: "nope",
      new_password: "a new password",
      confirm_password: "a new password",
    }),
  });
  t.equal(wrong.statusCode, 422);
  t.match(wrong.body, /That is not your current password\./);
  const mismatch = await admin.inject({
    method: "POST",
    url: "/account/password",
    ...form(
      {
        current_password: ADMIN_PASSWORD,
        new_password: "a new password",
        confirm_password: "another one",
      },
      HX,
    ),
  });
  t.equal(mismatch.statusCode, 422);
  t.match(mismatch.body, /The two new passwords differ\./);
  t.notMatch(mismatch.body, /a new password"/, "passwords are not echoed back");

  const second = new Agent(app);
  await second.signIn("admin@example.test", ADMIN_PASSWORD);
  const account = await admin.inject({ url: "/account" });
  t.match(account.body, /signed in in 1 other place/);
  const ended = await admin.inject({ method: "POST", url: "/account/sessions/end-others" });
  t.equal(ended.statusCode, 303);
  const gone = await second.inject({ url: "/account", headers: { accept: "text/html" } });
  t.equal(gone.statusCode, 303, "the other session is signed out");
  t.equal((await admin.inject({ url: "/account" })).statusCode, 200, "this one stays");
});
