/**
 * Two-factor sign-in through the routes (issue 13, item 5; hardening item 33): the code step
 * after the password, codes never twice, recovery codes once, the sign-in limiter shared
 * with /login, and the JSON answers. Enrolment is in two-factor-enrolment.test.ts.
 */
import t from "tap";
import { codeAt } from "../../src/services/people/two-factor.js";
import { Agent } from "../helpers/agent.js";
import { ADMIN_EMAIL, ADMIN_PASSWORD, buildTestApp, form, HX } from "../helpers/app.js";
import { makeTree } from "../helpers/fixtures.js";
import {
  enrolThroughPages,
  hasSession,
  nextCode,
  passwordStep,
  postCode,
} from "../helpers/two-factor.js";
import { userAgent } from "../helpers/users.js";

const HTML = { accept: "text/html" };
const JSON_ONLY = { accept: "application/json" };

t.test(
  "sign-in with a second factor: no session before the code, codes outside ±1 step refused, next kept",
  async (t) => {
    const { app, admin, database, close } = await buildTestApp();
    t.teardown(close);
    const { db } = database;
    const { secret } = await enrolThroughPages(admin);

    // The password alone starts no session: it leads to the code step.
    const { agent, response } = await passwordStep(app, ADMIN_EMAIL, ADMIN_PASSWORD, {
      next: "/call-purposes?x=1",
    });
    t.equal(response.statusCode, 303);
    t.equal(response.headers.location, "/login/code");
    t.notOk(hasSession(agent), "no session yet");
    const challenge = response.cookies.find((c) => c.name === "nd_sign_in");
    t.ok(challenge?.httpOnly, "the code step's cookie is HttpOnly");
    t.equal(challenge?.maxAge, 300, "and lasts 5 minutes");
    const stored = await db.selectFrom("sign_in_challenges").selectAll().execute();
    t.equal(stored.length, 1);
    t.not(stored[0]?.id, challenge?.value, "only its hash is stored");

    const before = await agent.inject({ url: "/call-purposes", headers: HTML });
    t.equal(before.statusCode, 303, "signed out until the code is given");
    const codePage = await agent.inject({ url: "/login/code", headers: HTML });
    t.equal(codePage.statusCode, 200);
    t.match(codePage.body, /name="code"/);
    t.match(codePage.body, /autocomplete="one-time-code"/);
    agent.takeCsrfFrom(codePage.body);

    const wrong = await postCode(agent, "123456");
    t.equal(wrong.statusCode, 401, "a wrong code is refused");
    t.match(wrong.body, /That code is not right/);
    t.notOk(hasSession(agent));
    const old = await postCode(agent, codeAt(secret, Date.now() - 90_000));
    t.equal(old.statusCode, 401, "a code three steps old is refused");
    const early = await postCode(agent, codeAt(secret, Date.now() + 90_000));
    t.equal(early.statusCode, 401, "a code three steps ahead is refused");

    const code = nextCode(secret);
    const ok = await postCode(agent, code);
    t.equal(ok.statusCode, 303);
    t.equal(ok.headers.location, "/call-purposes?x=1", "next is kept through the code step");
    t.ok(hasSession(agent), "a session at last");
    t.ok(
      ok.cookies.some((c) => c.name === "nd_sign_in" && c.maxAge === 0) ||
        !agent.cookies.has("nd_sign_in"),
      "the code step's cookie is cleared",
    );
    t.equal(
      (await db.selectFrom("sign_in_challenges").selectAll().execute()).length,
      0,
      "and its row",
    );
    t.equal((await agent.inject({ url: "/call-purposes", headers: HTML })).statusCode, 200);
    const failed = await db
      .selectFrom("audit_events")
      .select("action")
      .where("action", "=", "auth.second_factor_failed")
      .execute();
    t.equal(failed.length, 3, "every refused code is audited");
  },
);

// The sign-in limiter allows 10 attempts a minute per account: one test each keeps under it.
t.test("a code never works twice; a recovery code works once", async (t) => {
  const { app, admin, database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;
  const { secret, codes } = await enrolThroughPages(admin);
  const first = await passwordStep(app, ADMIN_EMAIL, ADMIN_PASSWORD);
  const code = nextCode(secret);
  t.equal((await postCode(first.agent, code)).statusCode, 303, "a code signs in");

  // The same code again, in another sign-in: refused (a code never works twice).
  const second = await passwordStep(app, ADMIN_EMAIL, ADMIN_PASSWORD);
  const replay = await postCode(second.agent, code);
  t.equal(replay.statusCode, 401, "a replayed code is refused");
  t.notOk(hasSession(second.agent));

  // A recovery code, in any case and spacing: once.
  const recovery = codes[0] ?? "";
  const withRecovery = await postCode(second.agent, ` ${recovery.toUpperCase()} `);
  t.equal(withRecovery.statusCode, 303, "a recovery code signs in");
  t.equal(withRecovery.headers.location, "/");
  const third = await passwordStep(app, ADMIN_EMAIL, ADMIN_PASSWORD);
  const recoveryAgain = await postCode(third.agent, recovery);
  t.equal(recoveryAgain.statusCode, 401, "a recovery code works only once");
  const left = await admin.inject({ url: "/account/two-factor", headers: HTML });
  t.match(left.body, /Recovery codes left<\/dt><dd>9 of 10/);

  // With htmx, success tells the page where to go rather than redirecting the request.
  const hxWay = await postCode(third.agent, codes[1] ?? "", HX);
  t.equal(hxWay.statusCode, 200);
  t.equal(hxWay.headers["hx-redirect"], "/");

  const actions = await db
    .selectFrom("audit_events")
    .select("action")
    .where("action", "like", "auth.%")
    .orderBy("id")
    .execute();
  const counts = actions.reduce<Record<string, number>>((acc, e) => {
    acc[e.action] = (acc[e.action] ?? 0) + 1;
    return acc;
  }, {});
  t.match(counts, {
    "auth.password_ok": 3,
    "auth.second_factor": 3,
    "auth.second_factor_failed": 2,
  });
});

t.test("the code step: nothing waiting, expired or used is a fresh sign-in", async (t) => {
  const { app, admin, database, close } = await buildTestApp();
  t.teardown(close);
  const { secret } = await enrolThroughPages(admin);
  const visitor = new Agent(app);
  const none = await visitor.inject({ url: "/login/code", headers: HTML });
  t.equal(none.statusCode, 303);
  t.equal(none.headers.location, "/login");
  const noneJson = await visitor.inject({ url: "/login/code", headers: JSON_ONLY });
  t.equal(noneJson.statusCode, 401);
  t.match(noneJson.json(), { statusCode: 401, message: /email and password first/ });
  visitor.takeCsrfFrom((await visitor.inject({ url: "/login" })).body);
  const blind = await postCode(visitor, nextCode(secret));
  t.equal(blind.statusCode, 303, "a code alone signs nobody in");
  t.equal(blind.headers.location, "/login");
  t.notOk(hasSession(visitor));
  const planted = await visitor.inject({
    method: "POST",
    url: "/login/code",
    cookies: { nd_sign_in: "made-up" },
    ...form({ code: nextCode(secret) }),
  });
  t.equal(planted.statusCode, 303, "nor does a made-up token");
  t.notOk(hasSession(visitor));

  const { agent } = await passwordStep(app, ADMIN_EMAIL, ADMIN_PASSWORD);
  await database.db
    .updateTable("sign_in_challenges")
    .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
    .execute();
  const expired = await postCode(agent, nextCode(secret));
  t.equal(expired.statusCode, 303, "an expired code step starts over");
  t.equal(expired.headers.location, "/login");
  t.notOk(hasSession(agent));

  const noCsrf = await (await passwordStep(app, ADMIN_EMAIL, ADMIN_PASSWORD)).agent.inject({
    method: "POST",
    url: "/login/code",
    ...form({ code: nextCode(secret) }, { "x-csrf-token": "" }),
  });
  t.equal(noCsrf.statusCode, 403, "the code form needs its CSRF token");
});

t.test(
  "the code step shares the sign-in limiter with /login: per account and per address",
  async (t) => {
    const { app, admin, database, close } = await buildTestApp();
    t.teardown(close);
    const { secret } = await enrolThroughPages(admin);

    // Per account: the admin's sign-in when the test began, the password and eight wrong
    // codes, each from its own address, use up the account's ten; the eleventh attempt is
    // refused even with the right code.
    const { agent } = await passwordStep(app, ADMIN_EMAIL, ADMIN_PASSWORD, {
      remoteAddress: "10.1.0.1",
    });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await agent.inject({
        method: "POST",
        url: "/login/code",
        remoteAddress: `10.1.1.${i + 1}`,
        ...form({ code: "000000" }),
      });
      statuses.push(res.statusCode);
    }
    t.same(statuses, Array(8).fill(401));
    const eleventh = await agent.inject({
      method: "POST",
      url: "/login/code",
      remoteAddress: "10.1.2.1",
      ...form({ code: nextCode(secret) }),
    });
    t.equal(eleventh.statusCode, 429, "the account's eleventh attempt, a right code, is refused");
    t.match(eleventh.body, /Too many sign-in attempts/);
    t.notOk(hasSession(agent));

    // Per address: nine passwords for other accounts, then this account's password (the
    // tenth) from the same address; its code is the eleventh and is refused.
    const other = await buildTestApp({}, undefined, { signIn: false });
    t.teardown(other.close);
    const enroller = await new Agent(other.app).signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const second = await enrolThroughPages(enroller);
    const remoteAddress = "10.2.0.1";
    for (let i = 0; i < 9; i++) {
      const res = await passwordStep(other.app, `user${i}@example.test`, "whatever1", {
        remoteAddress,
      });
      t.equal(res.response.statusCode, 401);
    }
    const tenth = await passwordStep(other.app, ADMIN_EMAIL, ADMIN_PASSWORD, { remoteAddress });
    t.equal(tenth.response.statusCode, 303, "the tenth attempt from the address is let through");
    const code = await tenth.agent.inject({
      method: "POST",
      url: "/login/code",
      remoteAddress,
      ...form({ code: nextCode(second.secret) }, JSON_ONLY),
    });
    t.equal(code.statusCode, 429, "the code is the address's eleventh attempt");
    t.ok(code.headers["retry-after"], "with Retry-After");
    t.match(code.json(), { statusCode: 429, message: /Too many sign-in attempts/ });
    t.notOk(hasSession(tenth.agent));
    t.ok(database, "the first portal is untouched by the second");
  },
);

t.test("JSON: the password step, the code step and the enrolment answer scripts", async (t) => {
  const { app, database, close } = await buildTestApp();
  t.teardown(close);
  const tree = await makeTree(database.db);
  const { agent: jo, password } = await userAgent(
    app,
    database.db,
    "jo@acme.test",
    "editor",
    `unit:${tree.unitId}`,
  );
  const status = await jo.inject({ url: "/account/two-factor", headers: JSON_ONLY });
  t.equal(status.statusCode, 200);
  const enrolling = status.json();
  t.match(enrolling, {
    enabled: false,
    required: false,
    since: null,
    recovery_codes_left: 0,
    secret: /^[A-Z2-7]{32}$/,
    otpauth_uri: /^otpauth:\/\/totp\/Numberdesk:jo%40acme\.test\?/,
    action: "/account/two-factor",
  });
  const wrong = await jo.inject({
    method: "POST",
    url: "/account/two-factor",
    ...form({ code: "000000" }, JSON_ONLY),
  });
  t.equal(wrong.statusCode, 422);
  t.match(wrong.json(), { statusCode: 422, errors: { code: /not right/ } });
  const confirmed = await jo.inject({
    method: "POST",
    url: "/account/two-factor",
    ...form({ code: codeAt(enrolling.secret, Date.now()) }, JSON_ONLY),
  });
  t.equal(confirmed.statusCode, 200);
  t.match(confirmed.json(), { ok: true, message: /is on/ });
  t.equal(confirmed.json().recovery_codes.length, 10);
  const on = await jo.inject({ url: "/account/two-factor", headers: JSON_ONLY });
  t.same(Object.keys(on.json()).sort(), ["enabled", "recovery_codes_left", "required", "since"]);
  t.match(on.json(), { enabled: true, required: false, recovery_codes_left: 10 });

  const script = new Agent(app);
  script.takeCsrfFrom((await script.inject({ url: "/login" })).body);
  const first = await script.inject({
    method: "POST",
    url: "/login",
    ...form({ email: "jo@acme.test", password }, JSON_ONLY),
  });
  t.equal(first.statusCode, 200);
  t.same(first.json(), {
    ok: true,
    message: "Password accepted. Now send a code from your authenticator app.",
    second_factor: true,
    next: "/login/code",
  });
  const step = await script.inject({ url: "/login/code", headers: JSON_ONLY });
  t.match(step.json(), { action: "/login/code", field: "code", expires_at: /^\d{4}-/ });
  const bad = await postCode(script, "111111", JSON_ONLY);
  t.equal(bad.statusCode, 401);
  t.match(bad.json(), { statusCode: 401, message: /not right/ });
  const good = await postCode(script, nextCode(enrolling.secret), JSON_ONLY);
  t.equal(good.statusCode, 200);
  t.same(good.json(), { ok: true, message: "Signed in.", second_factor: false, next: "/" });
  t.ok(hasSession(script));
});

t.test("behind TLS the code step's cookie is __Host-nd_sign_in, Secure", async (t) => {
  const { app, admin, close } = await buildTestApp({ cookieSecure: true });
  t.teardown(close);
  const { secret } = await enrolThroughPages(admin);
  const { agent, response } = await passwordStep(app, ADMIN_EMAIL, ADMIN_PASSWORD);
  t.equal(response.headers.location, "/login/code");
  const cookie = response.cookies.find((c) => c.name.endsWith("nd_sign_in"));
  t.equal(cookie?.name, "__Host-nd_sign_in");
  t.ok(cookie?.secure, "Secure");
  t.equal(cookie?.path, "/");
  t.notOk(cookie?.domain, "no Domain");
  const ok = await postCode(agent, nextCode(secret));
  t.equal(ok.statusCode, 303);
  t.ok(hasSession(agent), "signed in with the prefixed cookie");
});
