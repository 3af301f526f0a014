/**
 * The portal's log lines (JSON, through Fastify's pino): every line of a request carries its
 * id, which the answer echoes in X-Request-Id; no password, token, cookie or session id ever
 * lands in them, whatever a request carries.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t, { type Test } from "tap";
import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { Agent } from "../helpers/agent.js";
import { ADMIN_EMAIL, ADMIN_PASSWORD, form, TEST_HASHING } from "../helpers/app.js";

/** The portal logging everything it would (trace) into `lines`. */
async function loggedPortal(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-logs-"));
  const lines: string[] = [];
  const config = {
    ...loadConfig({}),
    databaseUrl: join(dir, "logs.db"),
    logLevel: "trace",
    adminEmail: ADMIN_EMAIL,
    adminPassword: ADMIN_PASSWORD,
    passwordHashing: TEST_HASHING,
  };
  const app = await buildApp({ config, logStream: { write: (line) => lines.push(line) } });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, lines };
}

t.test("no secret reaches the log; every request line has the request id", async (t) => {
  const { app, lines } = await loggedPortal(t);
  const agent = new Agent(app);
  await agent.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  const session = agent.cookies.get("nd_session") ?? "";
  t.ok(session.length > 10, "signed in with a session cookie");

  const newPassword = `Tr0ub4dor&3-${randomBytes(6).toString("hex")}`;
  const change = await agent.inject({
    method: "POST",
    url: "/account/password",
    ...form({
      current_password: ADMIN_PASSWORD,
      new_password: newPassword,
      confirm_password: newPassword,
      _csrf: agent.csrfToken,
    }),
  });
  t.equal(change.statusCode, 303, "the password was changed");

  // A wrong password, and one far too long (refused before any route sees it).
  const wrongPassword = `wrong-${randomBytes(6).toString("hex")}`;
  await new Agent(app).inject({
    method: "POST",
    url: "/login",
    ...form({ email: ADMIN_EMAIL, password: wrongPassword }),
  });
  const hugePassword = `huge${randomBytes(8).toString("hex")}`.padEnd(300, "x");
  await new Agent(app).inject({
    method: "POST",
    url: "/login",
    ...form({ email: ADMIN_EMAIL, password: hugePassword }),
  });

  const token = `nd_secret${randomBytes(16).toString("hex")}`;
  const scripted = await app.inject({
    url: "/businesses",
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
  const withCookie = await app.inject({
    url: "/account",
    headers: { cookie: `nd_session=${session}; other=${token}` },
  });
  t.ok(scripted.statusCode > 0 && withCookie.statusCode > 0);

  // The second lock: should code ever log headers or a form body, the secrets are masked.
  app.log.info(
    {
      headers: { authorization: `Bearer ${token}`, cookie: `nd_session=${session}` },
      body: { password: ADMIN_PASSWORD, new_password: newPassword, _csrf: agent.csrfToken },
    },
    "probe",
  );
  const probe = JSON.parse(lines.find((line) => line.includes('"probe"')) ?? "{}");
  t.same(probe.headers, { authorization: "[redacted]", cookie: "[redacted]" });
  t.same(probe.body, { password: "[redacted]", new_password: "[redacted]", _csrf: "[redacted]" });

  const log = lines.join("");
  t.ok(lines.length > 10, `the portal logged (${lines.length} lines)`);
  for (const [what, secret] of Object.entries({
    "the admin's password": ADMIN_PASSWORD,
    "the new password": newPassword,
    "a wrong password": wrongPassword,
    "a too-long password": hugePassword.slice(0, 20),
    "the API token": token,
    "the session id": session,
    "the CSRF token": agent.csrfToken,
  })) {
    t.notOk(log.includes(secret), `${what} is not in the log`);
  }

  // Every line about a request names it, and the ids are the ones the answers carried.
  const requestLines = lines.map((line) => JSON.parse(line)).filter((e) => e.req || e.res);
  t.ok(requestLines.length > 0);
  t.ok(
    requestLines.every((e) => typeof e.reqId === "string" && e.reqId.length > 0),
    "every request line has a reqId",
  );
  const echoed = String(scripted.headers["x-request-id"]);
  t.match(echoed, /^[0-9a-f-]{36}$/, "a fresh UUID when none was sent");
  t.ok(
    requestLines.some((e) => e.reqId === echoed),
    "the echoed id is the logged one",
  );
});

t.test("X-Request-Id: a sane one is kept and echoed, anything else replaced", async (t) => {
  const { app, lines } = await loggedPortal(t);
  const kept = await app.inject({ url: "/healthz", headers: { "x-request-id": "edge-4f2a.91:7" } });
  t.equal(kept.headers["x-request-id"], "edge-4f2a.91:7");
  const logged = lines.map((line) => JSON.parse(line)).filter((e) => e.reqId === "edge-4f2a.91:7");
  t.same(
    logged.map((e) => e.msg),
    ["incoming request", "request completed"],
  );

  for (const bad of ['x" injected="1', "a".repeat(129), "one two", "é"]) {
    const res = await app.inject({ url: "/healthz", headers: { "x-request-id": bad } });
    t.match(
      String(res.headers["x-request-id"]),
      /^[0-9a-f-]{36}$/,
      `replaced: ${bad.slice(0, 20)}`,
    );
  }
  // Error answers carry it too.
  const missing = await app.inject({ url: "/no-such-page", headers: { "x-request-id": "r-404" } });
  t.equal(missing.statusCode, 404);
  t.equal(missing.headers["x-request-id"], "r-404");
});
