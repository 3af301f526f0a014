/**
 * Settings "Headers" and "Fastify": the exact CSP and the other headers on refusals too (400,
 * 413, 429), HSTS only with COOKIE_SECURE, the body limit and the request timeout.
 */
import t, { type Test } from "tap";
import { BODY_LIMIT } from "../../src/app.js";
import { Agent } from "../helpers/agent.js";
import { ADMIN_EMAIL, buildTestApp, form } from "../helpers/app.js";
import { callPurposeId, makeTree } from "../helpers/fixtures.js";

const HTML = { accept: "text/html" };
const MiB = 1024 * 1024;
/** hardening.md's CSP, plus img-src 'self' data: and form-action 'self' (both narrower). */
const CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";

const expectHeaders = (t: Test, headers: Record<string, unknown>, label: string) => {
  t.equal(headers["content-security-policy"], CSP, `${label}: CSP`);
  t.equal(headers["x-content-type-options"], "nosniff", `${label}: nosniff`);
  t.equal(headers["referrer-policy"], "same-origin", `${label}: Referrer-Policy`);
};

t.test("Fastify limits: 8 MiB bodies, a 60 s request timeout", async (t) => {
  const { app, close } = await buildTestApp();
  t.teardown(close);
  t.equal(BODY_LIMIT, 8 * MiB);
  t.equal(app.initialConfig.bodyLimit, 8 * MiB);
  t.equal(app.server.requestTimeout, 60_000, "the HTTP server ends a request after 60 s");
});

t.test("a typed run over 8 MiB is a 413 with the headers, and writes nothing", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const tree = await makeTree(database.db);
  const body = form({
    numbers: "+12133734253\n".repeat(Math.ceil((8 * MiB) / 13)),
    call_purpose: String(await callPurposeId(database.db, "survey")),
    _csrf: admin.csrfToken,
  });
  t.ok(body.payload.length > 8 * MiB);
  const res = await admin.inject({
    method: "POST",
    url: `/units/${tree.unitId}/numbers/add`,
    ...body,
    headers: { ...body.headers, ...HTML },
  });
  t.equal(res.statusCode, 413);
  expectHeaders(t, res.headers, "413");
  t.equal((await database.db.selectFrom("phone_numbers").select("id").execute()).length, 0);
  t.equal((await database.db.selectFrom("jobs").select("id").execute()).length, 0);
});

t.test("400 and 429 answers carry the security headers too", async (t) => {
  const { app, admin, close } = await buildTestApp();
  t.teardown(close);
  const repeated = await admin.inject({
    method: "POST",
    url: "/businesses/new",
    ...form(
      [
        ["name", "A"],
        ["name", "B"],
      ],
      HTML,
    ),
  });
  t.equal(repeated.statusCode, 400);
  expectHeaders(t, repeated.headers, "400");

  const agent = new Agent(app);
  agent.takeCsrfFrom((await agent.inject({ url: "/login" })).body);
  let last = await agent.inject({ url: "/login" });
  for (let i = 0; i < 11; i++) {
    last = await agent.inject({
      method: "POST",
      url: "/login",
      ...form({ email: ADMIN_EMAIL, password: `wrong ${i}`, _csrf: agent.csrfToken }),
    });
  }
  t.equal(last.statusCode, 429);
  expectHeaders(t, last.headers, "429");
});

t.test("HSTS only with COOKIE_SECURE: never on plain HTTP, always behind TLS", async (t) => {
  const plain = await buildTestApp();
  t.teardown(plain.close);
  for (const url of ["/login", "/businesses", "/no-such-page", "/healthz"]) {
    const res = await plain.admin.inject({ url, headers: HTML });
    t.notOk(res.headers["strict-transport-security"], `plain ${url}: no HSTS`);
  }
  const secure = await buildTestApp({ cookieSecure: true }, undefined, { signIn: false });
  t.teardown(secure.close);
  for (const url of ["/login", "/no-such-page", "/healthz"]) {
    const res = await secure.app.inject({ url, headers: HTML });
    t.match(
      String(res.headers["strict-transport-security"]),
      /^max-age=31536000; includeSubDomains/,
      `secure ${url}: HSTS`,
    );
    expectHeaders(t, res.headers, `secure ${url}`);
  }
});
