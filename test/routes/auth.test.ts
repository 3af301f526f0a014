import t from "tap";
import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createDb } from "../../src/db/database.js";
import { Agent } from "../helpers/agent.js";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  buildTestApp,
  form,
  HX,
  TEST_HASHING,
} from "../helpers/app.js";
import { userAgent } from "../helpers/users.js";

const HTML = { accept: "text/html" };

t.test(
  "signed out: pages redirect to sign-in, htmx is told where to go, scripts get 401",
  async (t) => {
    const { app, close } = await buildTestApp();
    t.teardown(close);
    const page = await app.inject({ url: "/units/1/programs?x=1", headers: HTML });
    t.equal(page.statusCode, 303);
    t.equal(page.headers.location, "/login?next=%2Funits%2F1%2Fprograms%3Fx%3D1");
    const hx = await app.inject({
      url: "/businesses",
      headers: { ...HX, "hx-current-url": "http://localhost/businesses" },
    });
    t.equal(hx.statusCode, 401);
    t.equal(hx.headers["hx-redirect"], "/login?next=%2Fbusinesses");
    const script = await app.inject({
      url: "/businesses",
      headers: { accept: "application/json" },
    });
    t.equal(script.statusCode, 401);
    t.equal(script.json().message, "Sign in to continue.");
    const post = await app.inject({
      method: "POST",
      url: "/businesses/new",
      ...form({ name: "X" }),
    });
    t.equal(post.statusCode, 401, "a signed-out form post changes nothing");
    t.equal(post.headers["x-content-type-options"], "nosniff", "401 carries the security headers");
    const health = await app.inject({ url: "/healthz" });
    t.equal(health.statusCode, 200, "health needs no sign-in");
    const login = await app.inject({ url: "/login" });
    t.equal(login.statusCode, 200);
    t.match(login.body, /name="_csrf"/);
    t.notMatch(login.body, /class="main-nav"/, "no navigation before sign-in");
  },
);

t.test(
  "sign-in: same message for unknown user and wrong password; success starts a new session",
  async (t) => {
    const { app, database, close } = await buildTestApp();
    t.teardown(close);
    const agent = new Agent(app);
    agent.takeCsrfFrom((await agent.inject({ url: "/login" })).body);
    const attempt = (email: string, password: string, next = "") =>
      agent.inject({
        method: "POST",
        url: "/login",
        ...form({ email, password, next, _csrf: agent.csrfToken }),
      });

    const wrong = await attempt(ADMIN_EMAIL, "not the password");
    const unknown = await attempt("nobody@example.test", "not the password");
    t.equal(wrong.statusCode, 401);
    t.equal(unknown.statusCode, 401);
    t.match(wrong.body, /Email or password is incorrect\./);
    t.match(unknown.body, /Email or password is incorrect\./);
    t.match(wrong.body, new RegExp(`value="${ADMIN_EMAIL}"`), "the email is kept");
    t.notMatch(wrong.body, /not the password/, "the password is never echoed");

    agent.cookies.set("nd_session", "planted-by-an-attacker");
    const ok = await attempt(ADMIN_EMAIL.toUpperCase(), ADMIN_PASSWORD, "/call-purposes");
    t.equal(ok.statusCode, 303);
    t.equal(ok.headers.location, "/call-purposes", "back to where the user was going");
    const cookie = ok.cookies.find((c) => c.name === "nd_session");
    t.ok(cookie, "a session cookie is set");
    t.not(cookie?.value, "planted-by-an-attacker", "a new session id at sign-in");
    t.equal(cookie?.httpOnly, true);
    t.equal(cookie?.sameSite, "Lax");
    t.notOk(cookie?.secure, "not Secure on plain HTTP unless configured");
    const stored = await database.db.selectFrom("sessions").select("id").execute();
    t.equal(stored.length, 2, "the admin's own session from the harness, and this one");
    t.notOk(
      stored.some((row) => row.id === cookie?.value),
      "the database keeps only a hash of the token",
    );

    const fresh = new Agent(app);
    fresh.takeCsrfFrom((await fresh.inject({ url: "/login" })).body);
    const offsite = await fresh.inject({
      method: "POST",
      url: "/login",
      ...form({
        email: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
        next: "//evil.example/",
        _csrf: fresh.csrfToken,
      }),
    });
    t.equal(offsite.headers.location, "/", "no open redirect");

    const events = await database.db
      .selectFrom("audit_events")
      .select(["action", "summary"])
      .where("action", "like", "auth.%")
      .orderBy("id")
      .execute();
    t.same(events.map((e) => e.action).slice(0, 4), [
      "auth.sign_in",
      "auth.sign_in_failed",
      "auth.sign_in_failed",
      "auth.sign_in",
    ]);
    t.notMatch(JSON.stringify(events), /not the password|correct horse/, "no password in the log");
  },
);

t.test("Secure cookies when configured", async (t) => {
  const { app, close } = await buildTestApp({ cookieSecure: true });
  t.teardown(close);
  const agent = new Agent(app);
  agent.takeCsrfFrom((await agent.inject({ url: "/login" })).body);
  const ok = await agent.inject({
    method: "POST",
    url: "/login",
    ...form({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD, _csrf: agent.csrfToken }),
  });
  t.equal(ok.cookies.find((c) => c.name === "__Host-nd_session")?.secure, true);
  t.match(String(ok.headers["strict-transport-security"]), /max-age=/, "HSTS behind TLS");
});

t.test("sign-out ends the session: a replayed cookie is signed out", async (t) => {
  const { admin, close } = await buildTestApp();
  t.teardown(close);
  const stolen = admin.cookies.get("nd_session") ?? "";
  const out = await admin.inject({ method: "POST", url: "/logout" });
  t.equal(out.statusCode, 303);
  t.equal(out.headers.location, "/login");
  const replay = await admin.inject({
    url: "/businesses",
    headers: HTML,
    cookies: { nd_session: stolen },
  });
  t.equal(replay.statusCode, 303);
  t.match(String(replay.headers.location), /^\/login/);
  t.equal((await admin.inject({ url: "/logout" })).statusCode, 404, "sign-out is never a GET");
});

t.test("disabling a user ends their sessions at once", async (t) => {
  const { app, admin, database, close } = await buildTestApp();
  t.teardown(close);
  const business = await admin.inject({
    method: "POST",
    url: "/businesses/new",
    ...form({ name: "ACME" }),
  });
  t.equal(business.statusCode, 303);
  const viewer = await userAgent(app, database.db, "v@example.test", "viewer", "business:1");
  t.equal(
    (await viewer.agent.inject({ url: "/businesses/1/units", headers: HTML })).statusCode,
    200,
  );
  const disabled = await admin.inject({ method: "POST", url: `/users/${viewer.id}/disable` });
  t.equal(disabled.statusCode, 303);
  const after = await viewer.agent.inject({ url: "/businesses/1/units", headers: HTML });
  t.equal(after.statusCode, 303, "signed out");
  const again = new Agent(app);
  await t.rejects(
    again.signIn("v@example.test", viewer.password),
    "a disabled user cannot sign in",
  );
});

t.test(
  "CSRF: a post without the token, or with another session's, is refused and changes nothing",
  async (t) => {
    const { app, admin, database, close } = await buildTestApp();
    t.teardown(close);
    const viewer = await userAgent(app, database.db, "p@example.test", "portal_admin", "portal");
    const count = async () =>
      (await database.db.selectFrom("businesses").selectAll().execute()).length;

    const none = await admin.inject({
      method: "POST",
      url: "/businesses/new",
      ...form({ name: "A" }, { "x-csrf-token": "" }),
    });
    t.equal(none.statusCode, 403);
    t.match(none.body, /This form has expired or did not come from this portal/);
    const foreign = await admin.inject({
      method: "POST",
      url: "/businesses/new",
      ...form({ name: "B" }, { "x-csrf-token": viewer.agent.csrfToken }),
    });
    t.equal(foreign.statusCode, 403, "another session's token does not work here");
    t.equal(await count(), 0);
    const ok = await admin.inject({
      method: "POST",
      url: "/businesses/new",
      ...form({ name: "C", _csrf: admin.csrfToken }, { "x-csrf-token": "" }),
    });
    t.equal(ok.statusCode, 303, "the hidden _csrf field works as the header does");
    t.equal(await count(), 1);
  },
);

t.test("rate limits: the 11th sign-in in a minute is refused", async (t) => {
  const { app, close } = await buildTestApp({}, undefined, { signIn: false });
  t.teardown(close);
  const agent = new Agent(app);
  agent.takeCsrfFrom((await agent.inject({ url: "/login" })).body);
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    const res = await agent.inject({
      method: "POST",
      url: "/login",
      ...form({ email: ADMIN_EMAIL, password: `wrong ${i}`, _csrf: agent.csrfToken }),
    });
    statuses.push(res.statusCode);
  }
  t.same(statuses.slice(0, 10), Array(10).fill(401));
  t.equal(statuses[10], 429);
});

t.test("rate limits: per address, whichever accounts are tried", async (t) => {
  const { app, close } = await buildTestApp({}, undefined, { signIn: false });
  t.teardown(close);
  const agent = new Agent(app);
  agent.takeCsrfFrom((await agent.inject({ url: "/login" })).body);
  let last = 0;
  for (let i = 0; i < 11; i++) {
    const res = await agent.inject({
      method: "POST",
      url: "/login",
      ...form({ email: `user${i}@example.test`, password: "whatever1", _csrf: agent.csrfToken }),
    });
    last = res.statusCode;
  }
  t.equal(last, 429);
});

t.test("passwords: 64 characters work; a 2 MB body is refused before any hashing", async (t) => {
  const { app, admin, database, close } = await buildTestApp();
  t.teardown(close);
  const long = "a 64 character pass phrase that is long enough to be quite safe!";
  t.equal(long.length, 64);
  const changed = await admin.inject({
    method: "POST",
    url: "/account/password",
    ...form({ current_password: ADMIN_PASSWORD, new_password: long, confirm_password: long }),
  });
  t.equal(changed.statusCode, 303);
  await t.resolves(new Agent(app).signIn(ADMIN_EMAIL, long));

  const agent = new Agent(app);
  agent.takeCsrfFrom((await agent.inject({ url: "/login" })).body);
  const huge = await agent.inject({
    method: "POST",
    url: "/login",
    ...form({ email: ADMIN_EMAIL, password: "x".repeat(2 * 1024 * 1024), _csrf: agent.csrfToken }),
  });
  // Refused by the body limit before the handler runs: no password is read, none hashed
  // (no timing check here: these machines are shared and noisy).
  t.equal(huge.statusCode, 413, "refused as too large, before the sign-in handler");
  const failed = await database.db
    .selectFrom("audit_events")
    .select("id")
    .where("action", "=", "auth.sign_in_failed")
    .execute();
  t.equal(failed.length, 0, "not even counted as an attempt");
});

t.test("first start: a generated password is printed once and must be changed", async (t) => {
  const printed: string[] = [];
  const built = await buildTestApp(
    { adminPassword: null, adminEmail: "first@example.test" },
    undefined,
    { signIn: false, announce: (text) => printed.push(text) },
  );
  const { app, close } = built;
  t.teardown(close);
  const output = printed.join("");
  const password = /password: (\S+)/.exec(output)?.[1] ?? "";
  t.match(output, /email:\s+first@example.test/);
  t.ok(password.length >= 20, "a strong generated password");

  const agent = new Agent(app);
  agent.takeCsrfFrom((await agent.inject({ url: "/login" })).body);
  const signedIn = await agent.inject({
    method: "POST",
    url: "/login",
    ...form({ email: "first@example.test", password, _csrf: agent.csrfToken }),
  });
  t.equal(signedIn.headers.location, "/account/password", "asked to choose a password first");
  const elsewhere = await agent.inject({ url: "/businesses", headers: HTML });
  t.equal(elsewhere.headers.location, "/account/password", "nothing else until then");
  const form1 = await agent.inject({ url: "/account/password", headers: HTML });
  t.match(form1.body, /Choose your own before you continue/);
  agent.takeCsrfFrom(form1.body);
  const weak = await agent.inject({
    method: "POST",
    url: "/account/password",
    ...form({ current_password: password, new_password: "short", confirm_password: "short" }),
  });
  t.equal(weak.statusCode, 422);
  t.match(weak.body, /at least 8 characters/);
  const chosen = await agent.inject({
    method: "POST",
    url: "/account/password",
    ...form({
      current_password: password,
      new_password: "my own good password",
      confirm_password: "my own good password",
    }),
  });
  t.equal(chosen.statusCode, 303);
  t.equal(chosen.headers.location, "/", "a first sign-in goes on to the user's home, not /account");
  t.equal((await agent.inject({ url: "/businesses", headers: HTML })).statusCode, 200);

  // Starting again on the same database prints nothing: the password was shown once.
  const again: string[] = [];
  const restarted = await buildApp({
    config: {
      ...loadConfig({}),
      databaseUrl: built.databaseUrl,
      adminPassword: null,
      passwordHashing: TEST_HASHING,
    },
    database: createDb(built.databaseUrl),
    logger: false,
    announce: (text) => again.push(text),
  });
  await restarted.close();
  t.same(again, [], "nothing printed: the password was shown once");
});
