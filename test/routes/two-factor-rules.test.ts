/**
 * Where two-factor sign-in is required (a portal admin's rules, whole portal or per
 * business), what a user under a rule goes through, and an admin's reset of a user's second
 * factor, inside their scope only. API tokens are not sign-ins and are never held up.
 */
import t from "tap";
import { ADMIN_EMAIL, form, HX } from "../helpers/app.js";
import { buildTwoTenants } from "../helpers/tenants.js";
import { scriptHeaders, tokenOf } from "../helpers/tokens.js";
import {
  enrolThroughPages,
  nextCode,
  passwordStep,
  postCode,
  recoveryCodesOf,
  secretOf,
} from "../helpers/two-factor.js";
import { userAgent } from "../helpers/users.js";

const HTML = { accept: "text/html" };
const JSON_ONLY = { accept: "application/json" };

t.test(
  "rules: a portal admin requires two-factor per business or for the portal; users under it enrol before anything else",
  async (t) => {
    const { app, admin, database, acme, globex } = await buildTwoTenants(t);
    const { db } = database;
    const ed = await userAgent(app, db, "ed@acme.test", "editor", `unit:${acme.unitId}`);
    const gx = await userAgent(app, db, "gx@globex.test", "editor", `unit:${globex.unitId}`);
    const ba = await userAgent(app, db, "ba@acme.test", "admin", `business:${acme.businessId}`);
    const edToken = await tokenOf(db, "ed@acme.test");
    const acmeNumbers = `/units/${acme.unitId}/numbers`;

    const list = await admin.inject({ url: "/businesses", headers: HTML });
    t.match(list.body, new RegExp(`action="/businesses/${acme.businessId}/two-factor"`));
    t.match(list.body, /action="\/businesses\/two-factor"/, "the whole portal's form");
    t.match(list.body, /Require it for the whole portal/);

    // Only a portal admin decides; a bad answer is a 422; neither writes anything.
    const byAdmin = await ba.agent.inject({
      method: "POST",
      url: `/businesses/${acme.businessId}/two-factor`,
      ...form({ required: "yes" }),
    });
    t.equal(byAdmin.statusCode, 403, "a business admin may not set the rules");
    const maybe = await admin.inject({
      method: "POST",
      url: `/businesses/${acme.businessId}/two-factor`,
      ...form({ required: "maybe" }, JSON_ONLY),
    });
    t.equal(maybe.statusCode, 422);
    t.match(maybe.json(), { errors: { required: /required=yes or required=no/ } });
    const nowhere = await admin.inject({
      method: "POST",
      url: "/businesses/999/two-factor",
      ...form({ required: "yes" }),
    });
    t.equal(nowhere.statusCode, 404);
    t.equal((await db.selectFrom("two_factor_rules").selectAll().execute()).length, 0);

    const required = await admin.inject({
      method: "POST",
      url: `/businesses/${acme.businessId}/two-factor`,
      ...form({ required: "yes" }),
    });
    t.equal(required.statusCode, 303);
    t.equal(required.headers.location, "/businesses");
    t.match(
      (await admin.inject({ url: "/businesses", headers: HTML })).body,
      /Required\s*<form[^>]*action="\/businesses\/\d+\/two-factor"[\s\S]*?value="no"/,
      "the list says so, and offers to stop",
    );

    // ACME's editor: held at enrolment, whatever they ask for, however they ask.
    const page = await ed.agent.inject({ url: acmeNumbers, headers: HTML });
    t.equal(page.statusCode, 303);
    t.equal(page.headers.location, "/account/two-factor");
    const hx = await ed.agent.inject({ url: acmeNumbers, headers: HX });
    t.equal(hx.statusCode, 403);
    t.equal(hx.headers["hx-redirect"], "/account/two-factor");
    const json = await ed.agent.inject({ url: acmeNumbers, headers: JSON_ONLY });
    t.equal(json.statusCode, 403);
    t.match(json.json(), { message: /Set up two-factor sign-in first/ });
    const post = await ed.agent.inject({
      method: "POST",
      url: "/account/sessions/end-others",
      ...form({}),
    });
    t.equal(post.statusCode, 303, "posts too");
    t.equal(post.headers.location, "/account/two-factor");
    const enrolPage = await ed.agent.inject({ url: "/account/two-factor", headers: HTML });
    t.equal(enrolPage.statusCode, 200);
    t.match(enrolPage.body, /Your portal requires two-factor sign-in/);

    // A script with the same user's token is not a sign-in: not held up.
    const script = await app.inject({ url: acmeNumbers, headers: scriptHeaders(edToken) });
    t.equal(script.statusCode, 200, "API tokens are unaffected");
    // Globex's users are not under ACME's rule.
    const other = await gx.agent.inject({
      url: `/units/${globex.unitId}/numbers`,
      headers: HTML,
    });
    t.equal(other.statusCode, 200);

    // Signing out still works; the next sign-in goes to enrolment, keeping where it was going.
    const out = await ed.agent.inject({ method: "POST", url: "/logout", ...form({}) });
    t.equal(out.statusCode, 303);
    t.equal(out.headers.location, "/login");
    const again = await passwordStep(app, "ed@acme.test", ed.password, { next: acmeNumbers });
    t.equal(again.response.statusCode, 303);
    t.equal(
      again.response.headers.location,
      `/account/two-factor?next=${encodeURIComponent(acmeNumbers)}`,
    );
    const held = await again.agent.inject({
      url: `/account/two-factor?next=${encodeURIComponent(acmeNumbers)}`,
      headers: HTML,
    });
    again.agent.takeCsrfFrom(held.body);
    const secret = secretOf(held.body);
    const confirmed = await again.agent.inject({
      method: "POST",
      url: "/account/two-factor",
      ...form({ code: nextCode(secret), next: acmeNumbers }),
    });
    t.equal(recoveryCodesOf(confirmed.body).length, 10, "enrolled");
    t.match(confirmed.body, new RegExp(`href="${acmeNumbers}"[^>]*>I have saved them`));
    const free = await again.agent.inject({ url: acmeNumbers, headers: HTML });
    t.equal(free.statusCode, 200, "then every page opens");

    // The whole portal: portal admins included; stopping it leaves the business's rule.
    await enrolThroughPages(admin);
    const portal = await admin.inject({
      method: "POST",
      url: "/businesses/two-factor",
      ...form({ required: "yes" }, HX),
    });
    t.equal(portal.statusCode, 200);
    t.match(String(portal.headers["hx-trigger"]), /hierarchy-changed/);
    const globexHeld = await gx.agent.inject({
      url: `/units/${globex.unitId}/numbers`,
      headers: HTML,
    });
    t.equal(globexHeld.headers.location, "/account/two-factor", "now Globex's users too");
    t.equal(
      (await admin.inject({ url: "/businesses", headers: HTML })).statusCode,
      200,
      "an enrolled admin is not held",
    );
    const stop = await admin.inject({
      method: "POST",
      url: "/businesses/two-factor",
      ...form({ required: "no" }, JSON_ONLY),
    });
    t.same(stop.json(), {
      ok: true,
      message:
        "Two-factor sign-in is no longer required for the whole portal (businesses that require it still do).",
      place: "portal",
      business_id: null,
      required: false,
    });
    t.equal(
      (
        await gx.agent.inject({
          url: `/units/${globex.unitId}/numbers`,
          headers: HTML,
        })
      ).statusCode,
      200,
    );
    const rules = await db.selectFrom("two_factor_rules").select("business_id").execute();
    t.same(rules, [{ business_id: acme.businessId }]);
    const events = await db
      .selectFrom("audit_events")
      .select(["action", "actor_email"])
      .where("action", "like", "two_factor.%")
      .orderBy("id")
      .execute();
    t.same(events, [
      { action: "two_factor.require", actor_email: ADMIN_EMAIL },
      { action: "two_factor.require", actor_email: ADMIN_EMAIL },
      { action: "two_factor.optional", actor_email: ADMIN_EMAIL },
    ]);
    const activity = await admin.inject({
      url: `/businesses/${acme.businessId}/activity?action=user`,
      headers: HTML,
    });
    t.match(activity.body, /Two-factor sign-in required/, "in words on the Activity page");
    t.match(activity.body, /Two-factor sign-in turned on/);
  },
);

t.test("admin reset: inside the admin's scope only, with CSRF, audited", async (t) => {
  const { app, admin, database, acme, globex } = await buildTwoTenants(t);
  const { db } = database;
  const ed = await userAgent(app, db, "ed@acme.test", "editor", `unit:${acme.unitId}`);
  const gx = await userAgent(app, db, "gx@globex.test", "editor", `unit:${globex.unitId}`);
  const ba = await userAgent(app, db, "ba@acme.test", "admin", `business:${acme.businessId}`);
  const vi = await userAgent(app, db, "vi@acme.test", "viewer", `unit:${acme.unitId}`);
  await enrolThroughPages(ed.agent);
  await enrolThroughPages(gx.agent);
  const factors = async () =>
    (await db.selectFrom("two_factor").select("user_id").orderBy("user_id").execute()).map(
      (r) => r.user_id,
    );
  t.same(
    await factors(),
    [ed.id, gx.id].sort((a, b) => a - b),
  );

  const users = await ba.agent.inject({
    url: `/businesses/${acme.businessId}/users`,
    headers: HTML,
  });
  t.match(users.body, new RegExp(`href="/users/${ed.id}/two-factor/reset"`), "a button per user");
  t.notMatch(users.body, new RegExp(`/users/${vi.id}/two-factor/reset`), "only if they have one");
  t.match(users.body, /two-factor on/);

  const dialog = await ba.agent.inject({ url: `/users/${ed.id}/two-factor/reset`, headers: HX });
  t.equal(dialog.statusCode, 200);
  t.match(dialog.body, /Reset two-factor sign-in of ed@acme\.test\?/);
  t.match(dialog.body, /name="_csrf"/);

  // Out of scope: another tenant's user does not exist for this admin.
  const outside = await ba.agent.inject({
    method: "POST",
    url: `/users/${gx.id}/two-factor/reset`,
    ...form({}),
  });
  t.equal(outside.statusCode, 404, "out of scope is a 404, like other user routes");
  t.equal(
    await ba.agent
      .inject({ url: `/users/${gx.id}/two-factor/reset`, headers: HTML })
      .then((r) => r.statusCode),
    404,
  );
  const byViewer = await vi.agent.inject({
    method: "POST",
    url: `/users/${ed.id}/two-factor/reset`,
    ...form({}),
  });
  t.equal(byViewer.statusCode, 403, "a viewer may not");
  const noCsrf = await ba.agent.inject({
    method: "POST",
    url: `/users/${ed.id}/two-factor/reset`,
    ...form({}, { "x-csrf-token": "" }),
  });
  t.equal(noCsrf.statusCode, 403, "no CSRF token, no reset");
  const self = await ed.agent.inject({
    method: "POST",
    url: `/users/${ed.id}/two-factor/reset`,
    ...form({}),
  });
  t.equal(self.statusCode, 403, "not one's own (turn it off under Account instead)");
  t.same(
    await factors(),
    [ed.id, gx.id].sort((a, b) => a - b),
    "nothing reset so far",
  );

  const reset = await ba.agent.inject({
    method: "POST",
    url: `/users/${ed.id}/two-factor/reset`,
    ...form({}),
  });
  t.equal(reset.statusCode, 303);
  t.equal(reset.headers.location, `/units/${acme.unitId}/users`);
  t.same(await factors(), [gx.id], "ed's second factor is gone");
  const signIn = await passwordStep(app, "ed@acme.test", ed.password);
  t.equal(signIn.response.statusCode, 303);
  t.equal(signIn.response.headers.location, "/", "ed signs in with the password alone");

  const byPortalAdmin = await admin.inject({
    method: "POST",
    url: `/users/${gx.id}/two-factor/reset`,
    ...form({}, HX),
  });
  t.equal(byPortalAdmin.statusCode, 200);
  t.match(String(byPortalAdmin.headers["hx-trigger"]), /users-changed/);
  t.match(byPortalAdmin.body, /Reset the two-factor sign-in of gx@globex\.test/);
  const none = await admin.inject({
    method: "POST",
    url: `/users/${gx.id}/two-factor/reset`,
    ...form({}, JSON_ONLY),
  });
  t.same(none.json(), {
    ok: true,
    message: "gx@globex.test had no two-factor sign-in to reset.",
    user: { id: gx.id, email: "gx@globex.test" },
    had_two_factor: false,
  });
  t.same(await factors(), []);

  const events = await db
    .selectFrom("audit_events")
    .select(["actor_email", "subject_id", "business_id"])
    .where("action", "=", "user.two_factor_reset")
    .orderBy("id")
    .execute();
  t.same(events, [
    { actor_email: "ba@acme.test", subject_id: ed.id, business_id: acme.businessId },
    { actor_email: ADMIN_EMAIL, subject_id: gx.id, business_id: globex.businessId },
    { actor_email: ADMIN_EMAIL, subject_id: gx.id, business_id: globex.businessId },
  ]);
});

t.test("API tokens: unaffected by a second factor, and cannot enrol or turn one off", async (t) => {
  const { app, database, acme } = await buildTwoTenants(t);
  const { db } = database;
  const ed = await userAgent(app, db, "ed@acme.test", "editor", `unit:${acme.unitId}`);
  const { secret } = await enrolThroughPages(ed.agent);
  const token = await tokenOf(db, "ed@acme.test");
  const numbers = await app.inject({
    url: `/units/${acme.unitId}/numbers`,
    headers: scriptHeaders(token),
  });
  t.equal(numbers.statusCode, 200, "a token works without any code");
  const status = await app.inject({ url: "/account/two-factor", headers: scriptHeaders(token) });
  t.equal(status.statusCode, 200);
  t.same(Object.keys(status.json()).sort(), [
    "enabled",
    "recovery_codes_left",
    "required",
    "since",
  ]);
  t.match(status.json(), { enabled: true, recovery_codes_left: 10 });
  const off = await app.inject({
    method: "POST",
    url: "/account/two-factor/off",
    ...form({ code: nextCode(secret) }, scriptHeaders(token)),
  });
  t.equal(off.statusCode, 403, "a token cannot turn it off");
  t.equal((await db.selectFrom("two_factor").selectAll().execute()).length, 1);

  // A user without one: the token sees the status, never a secret, and cannot enrol.
  await userAgent(app, db, "vi@acme.test", "viewer", `unit:${acme.unitId}`);
  const viToken = await tokenOf(db, "vi@acme.test");
  const viStatus = await app.inject({
    url: "/account/two-factor",
    headers: scriptHeaders(viToken),
  });
  t.same(viStatus.json(), {
    enabled: false,
    required: false,
    since: null,
    recovery_codes_left: 0,
  });
  const enrol = await app.inject({
    method: "POST",
    url: "/account/two-factor",
    ...form({ code: "123456" }, scriptHeaders(viToken)),
  });
  t.equal(enrol.statusCode, 403, "a token cannot enrol an app");
  t.match(enrol.json(), { message: /signed-in session, not with an API token/ });

  // The code step is untouched by tokens: a sign-in still needs the code.
  const signIn = await passwordStep(app, "ed@acme.test", ed.password);
  t.equal(signIn.response.headers.location, "/login/code");
  t.equal((await postCode(signIn.agent, nextCode(secret))).statusCode, 303);
});
