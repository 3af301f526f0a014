import t from "tap";
import { Agent } from "../helpers/agent.js";
import { ADMIN_EMAIL, ADMIN_PASSWORD, buildTestApp, form } from "../helpers/app.js";

t.test("the CSRF secret is rotated at sign-in and at sign-out", async (t) => {
  const { app, close } = await buildTestApp({}, undefined, { signIn: false });
  t.teardown(close);
  const agent = new Agent(app);
  const login = await agent.inject({ url: "/login" });
  agent.takeCsrfFrom(login.body);
  const before = agent.cookies.get("nd_csrf");
  const beforeToken = agent.csrfToken;
  t.ok(before, "a CSRF secret before sign-in");
  const signedIn = await agent.inject({
    method: "POST",
    url: "/login",
    ...form({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD, _csrf: agent.csrfToken }),
  });
  t.equal(signedIn.statusCode, 303);
  const during = agent.cookies.get("nd_csrf");
  t.ok(during, "the sign-in sets a CSRF secret");
  t.not(during, before, "a new secret at sign-in");

  // A token made with the old secret, sent with that old secret's cookie, is refused.
  const planted = await agent.inject({
    method: "POST",
    url: "/account/sessions/end-others",
    cookies: { nd_csrf: before ?? "" },
    headers: { "x-csrf-token": beforeToken },
  });
  t.equal(planted.statusCode, 403, "the pre-sign-in secret and token open nothing");

  agent.takeCsrfFrom(
    (await agent.inject({ url: "/account", headers: { accept: "text/html" } })).body,
  );
  const out = await agent.inject({
    method: "POST",
    url: "/logout",
    ...form({ _csrf: agent.csrfToken }),
  });
  t.equal(out.statusCode, 303);
  const after = agent.cookies.get("nd_csrf");
  t.ok(after, "sign-out sets a CSRF secret");
  t.not(after, during, "a new secret at sign-out");
  t.not(after, before);
});

t.test("COOKIE_SECURE=true: both cookies carry the __Host- prefix and work", async (t) => {
  const { app, close } = await buildTestApp({ cookieSecure: true }, undefined, { signIn: false });
  t.teardown(close);
  const agent = new Agent(app);
  const login = await agent.inject({ url: "/login" });
  agent.takeCsrfFrom(login.body);
  const csrf = login.cookies.find((c) => c.name === "__Host-nd_csrf");
  t.ok(csrf, "the CSRF cookie is __Host-nd_csrf");
  t.notOk(
    login.cookies.some((c) => c.name === "nd_csrf"),
    "no unprefixed CSRF cookie",
  );
  const signedIn = await agent.inject({
    method: "POST",
    url: "/login",
    ...form({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD, _csrf: agent.csrfToken }),
  });
  t.equal(signedIn.statusCode, 303);
  const session = signedIn.cookies.find((c) => c.name === "__Host-nd_session");
  t.ok(session, "the session cookie is __Host-nd_session");
  t.notOk(
    signedIn.cookies.some((c) => c.name === "nd_session"),
    "no unprefixed session cookie",
  );
  // What __Host- requires, or the browser drops the cookie: Secure, Path=/, no Domain.
  for (const cookie of [csrf, session, signedIn.cookies.find((c) => c.name === "__Host-nd_csrf")]) {
    t.equal(cookie?.secure, true, `${cookie?.name} is Secure`);
    t.equal(cookie?.path, "/", `${cookie?.name} has Path=/`);
    t.equal(cookie?.domain, undefined, `${cookie?.name} has no Domain`);
  }
  // The prefixed cookies are the ones read back: the account page opens, a form posts.
  const account = await agent.inject({ url: "/account", headers: { accept: "text/html" } });
  t.equal(account.statusCode, 200, "signed in with the prefixed session cookie");
  agent.takeCsrfFrom(account.body);
  const post = await agent.inject({
    method: "POST",
    url: "/account/sessions/end-others",
    ...form({ _csrf: agent.csrfToken }),
  });
  t.equal(post.statusCode, 303, "a form posts with the prefixed CSRF cookie");
  const unprefixed = await app.inject({
    url: "/account",
    headers: { accept: "text/html" },
    cookies: { nd_session: session?.value ?? "" },
  });
  t.equal(unprefixed.statusCode, 303, "an unprefixed cookie of the same value signs no one in");
});
