/**
 * Two-factor enrolment under Account (issue 13, item 5): the QR code and the secret, the
 * first code, the recovery codes shown once, and turning it off. The sign-in's code step is
 * in two-factor.test.ts.
 */
import t from "tap";
import { codeAt } from "../../src/services/people/two-factor.js";
import { buildTestApp, form, HX } from "../helpers/app.js";
import { makeTree } from "../helpers/fixtures.js";
import { enrolThroughPages, nextCode, recoveryCodesOf, secretOf } from "../helpers/two-factor.js";
import { userAgent } from "../helpers/users.js";

const HTML = { accept: "text/html" };

t.test(
  "enrol: QR code and secret, a wrong code is refused, the right one shows 10 recovery codes once",
  async (t) => {
    const { admin, database, close } = await buildTestApp();
    t.teardown(close);
    const { db } = database;

    const account = await admin.inject({ url: "/account", headers: HTML });
    t.match(account.body, /Off: sign-in asks for your password only\./);
    t.match(account.body, /href="\/account\/two-factor"/, "a link from the account page");

    const page = await admin.inject({ url: "/account/two-factor", headers: HTML });
    t.equal(page.statusCode, 200);
    t.match(page.body, /<html/, "a full page");
    const secret = secretOf(page.body);
    t.match(secret, /^[A-Z2-7]{32}$/, "the secret as text, in data-secret");
    t.match(
      page.body,
      /<div class="qr-code" role="img" aria-label="[^"]+"><svg [^>]*viewBox/,
      "an inline SVG QR code",
    );
    t.notMatch(page.body, /<img|https?:\/\/(?!www\.w3\.org)/, "nothing loaded from elsewhere");
    t.equal(
      page.headers["content-security-policy"],
      (await admin.inject({ url: "/account", headers: HTML })).headers["content-security-policy"],
      "the CSP is the portal's usual one",
    );
    const again = await admin.inject({ url: "/account/two-factor", headers: HTML });
    t.equal(secretOf(again.body), secret, "the same secret until it is confirmed");

    // With htmx, the page's #two-factor part alone.
    const fragment = await admin.inject({ url: "/account/two-factor", headers: HX });
    t.equal(fragment.statusCode, 200);
    t.notMatch(fragment.body, /<html/);
    t.match(fragment.body, /^\s*<section id="two-factor"/);
    t.equal(secretOf(fragment.body), secret);

    const wrong = await admin.inject({
      method: "POST",
      url: "/account/two-factor",
      ...form({ code: "000000" }),
    });
    t.equal(wrong.statusCode, 422, "a wrong code is refused");
    t.match(wrong.body, /That code is not right/);
    t.match(wrong.body, /aria-invalid="true"/);
    t.equal(secretOf(wrong.body), secret, "the same secret is shown again");
    const wrongHx = await admin.inject({
      method: "POST",
      url: "/account/two-factor",
      ...form({ code: "12345" }, HX),
    });
    t.equal(wrongHx.statusCode, 422);
    t.notMatch(wrongHx.body, /<html/, "htmx gets the part to swap");
    t.match(wrongHx.body, /^\s*<form id="two-factor-confirm"/, "the form alone, not the QR code");
    t.match(wrongHx.body, /That code is not right/);
    t.equal(
      (await db.selectFrom("two_factor").select("secret").executeTakeFirstOrThrow()).secret,
      null,
      "not on yet",
    );

    const confirmed = await admin.inject({
      method: "POST",
      url: "/account/two-factor",
      ...form({ code: codeAt(secret, Date.now()) }, HX),
    });
    t.equal(confirmed.statusCode, 200, "not a redirect: the codes are shown here, once");
    t.notMatch(confirmed.body, /<html/);
    t.equal(confirmed.headers["hx-retarget"], "#two-factor", "the codes replace the whole part");
    const codes = recoveryCodesOf(confirmed.body);
    t.equal(codes.length, 10, "ten recovery codes");
    t.equal(new Set(codes).size, 10, "all different");
    const stored = await db.selectFrom("recovery_codes").select("code_hash").execute();
    t.equal(stored.length, 10);
    t.notOk(
      stored.some((s) => codes.some((c) => s.code_hash.includes(c.replace("-", "")))),
      "stored hashed",
    );

    const after = await admin.inject({ url: "/account/two-factor", headers: HTML });
    t.notMatch(after.body, /data-secret/, "the secret is not shown again");
    t.notOk(
      codes.some((c) => after.body.includes(c)),
      "nor the recovery codes",
    );
    t.match(after.body, /Recovery codes left<\/dt><dd>10 of 10/);
    const confirmedAgain = await admin.inject({
      method: "POST",
      url: "/account/two-factor",
      ...form({ code: nextCode(secret) }),
    });
    t.equal(confirmedAgain.statusCode, 422, "a second confirmation changes nothing");
    t.match(
      (await admin.inject({ url: "/account", headers: HTML })).body,
      /On: sign-in asks for a code/,
    );
    const events = await db
      .selectFrom("audit_events")
      .select("action")
      .where("action", "=", "user.two_factor_enrol")
      .execute();
    t.equal(events.length, 1, "audited");
  },
);

t.test("enrol without JavaScript: the plain form answers the whole page", async (t) => {
  const { admin, close } = await buildTestApp();
  t.teardown(close);
  const page = await admin.inject({ url: "/account/two-factor", headers: HTML });
  const confirmed = await admin.inject({
    method: "POST",
    url: "/account/two-factor",
    ...form({ code: codeAt(secretOf(page.body), Date.now()), next: "/call-purposes" }),
  });
  t.equal(confirmed.statusCode, 200);
  t.match(confirmed.body, /<html/);
  t.equal(recoveryCodesOf(confirmed.body).length, 10);
  t.match(confirmed.body, /href="\/call-purposes"[^>]*>I have saved them/, "next is kept");
});

t.test(
  "turning it off takes a current code, and is refused while a rule requires it",
  async (t) => {
    const { app, database, close } = await buildTestApp();
    t.teardown(close);
    const tree = await makeTree(database.db);
    const { agent } = await userAgent(
      app,
      database.db,
      "jo@acme.test",
      "viewer",
      `unit:${tree.unitId}`,
    );
    const { secret, codes } = await enrolThroughPages(agent);
    const page = await agent.inject({ url: "/account/two-factor", headers: HTML });
    t.match(page.body, /action="\/account\/two-factor\/off"/, "a way to turn it off");

    const wrong = await agent.inject({
      method: "POST",
      url: "/account/two-factor/off",
      ...form({ code: "000000" }),
    });
    t.equal(wrong.statusCode, 422);
    t.match(wrong.body, /not right/);

    await database.db
      .insertInto("two_factor_rules")
      .values({ business_id: tree.businessId, created_at: new Date().toISOString() })
      .execute();
    const required = await agent.inject({ url: "/account/two-factor", headers: HTML });
    t.notMatch(required.body, /two-factor\/off/, "no way to turn it off under a rule");
    t.match(required.body, /required where you work/);
    const refused = await agent.inject({
      method: "POST",
      url: "/account/two-factor/off",
      ...form({ code: nextCode(secret) }),
    });
    t.equal(refused.statusCode, 403, "refused under a rule, even with a right code");
    await database.db.deleteFrom("two_factor_rules").execute();

    const off = await agent.inject({
      method: "POST",
      url: "/account/two-factor/off",
      ...form({ code: codes[0] ?? "" }),
    });
    t.equal(off.statusCode, 303);
    t.equal(off.headers.location, "/account");
    t.equal((await database.db.selectFrom("two_factor").selectAll().execute()).length, 0);
    t.equal((await database.db.selectFrom("recovery_codes").selectAll().execute()).length, 0);
    const audited = await database.db
      .selectFrom("audit_events")
      .select("action")
      .where("action", "=", "user.two_factor_off")
      .execute();
    t.equal(audited.length, 1);
    t.match(
      (await agent.inject({ url: "/account", headers: HTML })).body,
      /Off: sign-in asks for your password only/,
    );
  },
);
