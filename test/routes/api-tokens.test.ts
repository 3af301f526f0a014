import t from "tap";
import { TOKEN_RATE_PER_MINUTE } from "../../src/web/plugins/api-token-auth.js";
import { form, HX } from "../helpers/app.js";
import { buildRunGround } from "../helpers/tenants.js";
import { scriptHeaders, tokenOf } from "../helpers/tokens.js";
import { userAgent } from "../helpers/users.js";

const HTML = { accept: "text/html" };

t.test("Account: a token is named, shown once on a 201, stored only as its hash", async (t) => {
  const { app, editor, database } = await buildRunGround(t);
  const { db } = database;
  const newForm = await editor.inject({ url: "/account/tokens/new", headers: HTML });
  t.equal(newForm.statusCode, 200);
  t.match(newForm.body, /name="name"/);

  const empty = await editor.inject({
    method: "POST",
    url: "/account/tokens",
    ...form({ name: "  " }, HTML),
  });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, /Enter a token name/);

  const created = await editor.inject({
    method: "POST",
    url: "/account/tokens",
    ...form({ name: "nightly sync" }, HTML),
  });
  t.equal(created.statusCode, 201, "the page itself shows the token: no redirect");
  t.notOk(created.headers.location);
  const secret = /<code id="api-token">(nd_[A-Za-z0-9_-]{43})<\/code>/.exec(created.body)?.[1];
  t.ok(secret, "the token is on the page");
  t.same(
    created.cookies.filter((c) => c.value.includes(String(secret))),
    [],
    "not in a cookie",
  );

  const account = await editor.inject({ url: "/account", headers: HTML });
  t.match(account.body, /nightly sync/);
  t.match(account.body, new RegExp(`${String(secret).slice(0, 7)}…`), "its first characters");
  t.notOk(account.body.includes(String(secret)), "never shown again");

  const rows = await db.selectFrom("api_tokens").selectAll().execute();
  t.equal(rows.length, 1);
  t.notOk(JSON.stringify(rows).includes(String(secret)), "only the hash is stored");

  const again = await editor.inject({
    method: "POST",
    url: "/account/tokens",
    ...form({ name: "Nightly Sync" }, HTML),
  });
  t.equal(again.statusCode, 422, "live tokens of one user have distinct names");

  // The token works at once, without cookie or CSRF token.
  const dashboard = await app.inject({
    url: "/units/1/numbers",
    headers: scriptHeaders(String(secret)),
  });
  t.equal(dashboard.statusCode, 200);

  const token = rows[0];
  const revoke = await editor.inject({
    method: "POST",
    url: `/account/tokens/${token?.id}/revoke`,
    ...form({}, HTML),
  });
  t.equal(revoke.statusCode, 303);
  const refused = await app.inject({
    url: "/units/1/numbers",
    headers: scriptHeaders(String(secret)),
  });
  t.equal(refused.statusCode, 401, "a revoked token is refused");
  t.match(refused.json(), { statusCode: 401, message: /not valid/ });
  t.notMatch(
    (await editor.inject({ url: "/account", headers: HTML })).body,
    /<td><bdi>nightly sync<\/bdi><\/td>/,
    "no longer listed",
  );

  const events = await db
    .selectFrom("audit_events")
    .select(["action", "actor_email", "summary"])
    .where("subject_type", "=", "api_token")
    .orderBy("id")
    .execute();
  t.same(
    events.map((e) => [e.action, e.actor_email]),
    [
      ["token.create", "ed@acme.test"],
      ["token.revoke", "ed@acme.test"],
    ],
  );
  t.match(events[0]?.summary, /nightly sync/);
});

t.test("Account: another user's token cannot be revoked; tokens cannot make tokens", async (t) => {
  const { app, editor, database, acme } = await buildRunGround(t);
  const { db } = database;
  const other = await userAgent(app, db, "viv@acme.test", "viewer", `business:${acme.businessId}`);
  const secret = await tokenOf(db, "viv@acme.test");
  const token = await db.selectFrom("api_tokens").select("id").executeTakeFirstOrThrow();
  const revoke = await editor.inject({
    method: "POST",
    url: `/account/tokens/${token.id}/revoke`,
    ...form({}, HTML),
  });
  t.equal(revoke.statusCode, 404, "someone else's token does not exist for you");
  t.equal((await app.inject({ url: "/account", headers: scriptHeaders(secret) })).statusCode, 406);
  const mint = await app.inject({
    method: "POST",
    url: "/account/tokens",
    ...form({ name: "successor" }, scriptHeaders(secret)),
  });
  t.equal(mint.statusCode, 403, "a leaked token cannot mint successors");
  t.equal(mint.json().statusCode, 403);
  const ownRevoke = await app.inject({
    method: "POST",
    url: `/account/tokens/${token.id}/revoke`,
    ...form({}, scriptHeaders(secret)),
  });
  t.equal(ownRevoke.statusCode, 403);
  t.ok(other.agent, "the viewer's session is unaffected");
});

t.test("Bearer tokens: act as the user, need no CSRF, never fall back to the cookie", async (t) => {
  const { app, admin, editor, database, acme } = await buildRunGround(t);
  const { db } = database;
  const secret = await tokenOf(db, "ed@acme.test");
  const headers = scriptHeaders(secret);

  const add = await app.inject({
    method: "POST",
    url: `/programs/${acme.programId}/numbers/add`,
    ...form({ numbers: "+1 213 373 4260" }, headers),
  });
  t.equal(add.statusCode, 201, "no cookie and no CSRF token needed with a token");
  t.match(add.json(), { job: { kind: "add", succeeded: 1 } });

  const withCookie = await editor.inject({
    method: "POST",
    url: `/programs/${acme.programId}/numbers/add`,
    ...form({ numbers: "+1 213 373 4261" }, { accept: "application/json", "x-csrf-token": "" }),
  });
  t.equal(withCookie.statusCode, 403, "a cookie alone still needs its CSRF token");

  for (const authorization of [
    "Bearer nd_bogus",
    `Bearer nd_${"A".repeat(43)}`,
    "Basic Zm9vOmJhcg==",
    "Bearer",
  ]) {
    const res = await admin.inject({
      url: `/units/${acme.unitId}/numbers`,
      headers: { authorization, accept: "text/html" },
    });
    t.equal(
      res.statusCode,
      401,
      `${authorization}: refused though a valid session cookie came along`,
    );
    t.match(res.headers["content-type"], /application\/json/);
    t.match(res.headers["www-authenticate"], /^Bearer/);
    t.equal(res.json().statusCode, 401);
  }

  // The token acts with the user's role: a viewer's token cannot change anything.
  await userAgent(app, db, "viv@acme.test", "viewer", `business:${acme.businessId}`);
  const viewer = scriptHeaders(await tokenOf(db, "viv@acme.test"));
  const denied = await app.inject({
    method: "POST",
    url: `/programs/${acme.programId}/numbers/add`,
    ...form({ numbers: "+1 213 373 4262" }, viewer),
  });
  t.equal(denied.statusCode, 403);
  t.equal(
    (await app.inject({ url: `/units/${acme.unitId}/numbers`, headers: viewer })).statusCode,
    200,
  );
});

t.test("Bearer tokens: another tenant's ids are 404 through a token too", async (t) => {
  const { app, database, acme, globex } = await buildRunGround(t);
  const { db } = database;
  const headers = scriptHeaders(await tokenOf(db, "ed@acme.test"));
  const globexNumber = await db
    .selectFrom("phone_numbers")
    .select("id")
    .where("e164", "=", "+12133739999")
    .executeTakeFirstOrThrow();
  // A Globex job and removal, made by the portal admin.
  const adminHeaders = scriptHeaders(await tokenOf(db, "admin@example.test"));
  const globexAdd = await app.inject({
    method: "POST",
    url: `/programs/${globex.programId}/numbers/add`,
    ...form({ numbers: "+1 213 373 9998" }, adminHeaders),
  });
  const globexJob = globexAdd.json().job.id as number;
  await app.inject({
    method: "POST",
    url: `/numbers/${globexNumber.id}/remove`,
    ...form({}, adminHeaders),
  });
  const removal = await db
    .selectFrom("audit_events")
    .select("id")
    .where("action", "=", "number.remove")
    .executeTakeFirstOrThrow();
  const other = await db
    .selectFrom("phone_numbers")
    .select("id")
    .where("e164", "=", "+12133739998")
    .executeTakeFirstOrThrow();

  const gets = [
    `/businesses/${globex.businessId}/numbers`,
    `/units/${globex.unitId}/numbers`,
    `/programs/${globex.programId}/numbers`,
    `/businesses/${globex.businessId}/numbers.csv`,
    `/numbers/${other.id}/assignments`,
    `/numbers/${other.id}/edit`,
    `/numbers/${other.id}/remove`,
    `/businesses/${globex.businessId}/numbers/add`,
    `/units/${globex.unitId}/numbers/delete`,
    `/jobs/${globexJob}`,
    `/jobs/${globexJob}.csv`,
    `/units/${globex.unitId}/numbers/removed`,
    `/businesses/${globex.businessId}/activity`,
  ];
  for (const url of gets) {
    const res = await app.inject({ url, headers });
    t.equal(res.statusCode, 404, `GET ${url}`);
    t.equal(res.json().statusCode, 404);
  }
  const posts: Array<[string, Record<string, string>]> = [
    [`/numbers/${other.id}/edit`, { call_purpose: "1" }],
    [`/numbers/${other.id}/remove`, {}],
    [`/units/${globex.unitId}/numbers/add`, { numbers: "+1 213 373 4263" }],
    [
      `/businesses/${globex.businessId}/numbers/delete`,
      { numbers: "+1 213 373 9998", confirm: "yes" },
    ],
    [`/removed/${removal.id}/restore`, {}],
    [`/jobs/${globexJob}/undo`, {}],
  ];
  for (const [url, fields] of posts) {
    const res = await app.inject({ method: "POST", url, ...form(fields, headers) });
    t.equal(res.statusCode, 404, `POST ${url}`);
  }
  t.ok(
    await db.selectFrom("phone_numbers").select("id").where("id", "=", other.id).executeTakeFirst(),
    "Globex's number is untouched",
  );
  // ACME's own number in a delete list run through a token: Globex's stays NOT_FOUND.
  const run = await app.inject({
    method: "POST",
    url: `/businesses/${acme.businessId}/numbers/delete`,
    ...form({ numbers: "+1 213 373 9998", confirm: "yes" }, headers),
  });
  t.equal(run.statusCode, 201);
  t.match(run.json().outcomes, [{ outcome: "rejected", code: "NOT_FOUND" }]);
});

t.test("Disabling a user stops their tokens, for good", async (t) => {
  const { app, admin, database, acme } = await buildRunGround(t);
  const { db } = database;
  const secret = await tokenOf(db, "ed@acme.test");
  const url = `/units/${acme.unitId}/numbers`;
  t.equal((await app.inject({ url, headers: scriptHeaders(secret) })).statusCode, 200);
  const ed = await db
    .selectFrom("users")
    .select("id")
    .where("email", "=", "ed@acme.test")
    .executeTakeFirstOrThrow();
  t.equal(
    (await admin.inject({ method: "POST", url: `/users/${ed.id}/disable`, ...form({}, HTML) }))
      .statusCode,
    303,
  );
  t.equal((await app.inject({ url, headers: scriptHeaders(secret) })).statusCode, 401);
  await admin.inject({ method: "POST", url: `/users/${ed.id}/enable`, ...form({}, HTML) });
  t.equal(
    (await app.inject({ url, headers: scriptHeaders(secret) })).statusCode,
    401,
    "enabling the user again does not bring old tokens back",
  );
  // Even a token the database still holds as live is refused while its user is disabled.
  const fresh = await tokenOf(db, "ed@acme.test", "fresh");
  await db
    .updateTable("users")
    .set({ disabled_at: new Date().toISOString() })
    .where("id", "=", ed.id)
    .execute();
  t.equal((await app.inject({ url, headers: scriptHeaders(fresh) })).statusCode, 401);
});

t.test(
  "Token use is audited and shown in Activity; last use is recorded once a minute",
  async (t) => {
    const { app, admin, database, acme } = await buildRunGround(t);
    const { db } = database;
    const secret = await tokenOf(db, "ed@acme.test", "deploy bot");
    const headers = scriptHeaders(secret);
    const number = await db
      .selectFrom("phone_numbers")
      .select("id")
      .where("e164", "=", "+12133734254")
      .executeTakeFirstOrThrow();
    const purpose = await db
      .selectFrom("call_purposes")
      .select("id")
      .where("code", "=", "survey")
      .executeTakeFirstOrThrow();
    const edit = await app.inject({
      method: "POST",
      url: `/numbers/${number.id}/edit`,
      ...form({ call_purpose: String(purpose.id) }, headers),
    });
    t.equal(edit.statusCode, 200);
    await app.inject({
      method: "POST",
      url: `/programs/${acme.programId}/numbers/add`,
      ...form({ numbers: "+1 213 373 4264" }, headers),
    });
    const token = await db.selectFrom("api_tokens").selectAll().executeTakeFirstOrThrow();
    const events = await db
      .selectFrom("audit_events")
      .select(["action", "actor_email", "actor_token_id", "actor_token_name"])
      .where("actor_email", "=", "ed@acme.test")
      .where("action", "!=", "auth.sign_in")
      .orderBy("id")
      .execute();
    t.same(
      events.map((e) => [e.action, e.actor_token_id, e.actor_token_name]),
      [
        ["number.update", token.id, "deploy bot"],
        ["number.add", token.id, "deploy bot"],
        ["job.add", token.id, "deploy bot"],
      ],
      "every event of a token request names the token",
    );
    const activity = await admin.inject({ url: `/units/${acme.unitId}/activity`, headers: HTML });
    t.match(activity.body, /with the API token “<bdi>deploy bot<\/bdi>”/);
    const json = await app.inject({ url: `/units/${acme.unitId}/activity`, headers });
    t.match(json.json().events[0], {
      user: "ed@acme.test",
      token: "deploy bot",
      action: "job.add",
    });
    const csv = await admin.inject({ url: `/units/${acme.unitId}/activity.csv` });
    t.match(csv.body, /,deploy bot\r?\n/);

    // Browser changes name no token.
    const browserEvent = await db
      .selectFrom("audit_events")
      .select("actor_token_id")
      .where("action", "=", "token.create")
      .executeTakeFirstOrThrow();
    t.equal(browserEvent.actor_token_id, null);

    t.ok(token.last_used_at, "last use is recorded");
    const firstUse = token.last_used_at;
    await app.inject({ url: `/units/${acme.unitId}/numbers`, headers });
    const after = await db
      .selectFrom("api_tokens")
      .select("last_used_at")
      .executeTakeFirstOrThrow();
    t.equal(after.last_used_at, firstUse, "not rewritten within the minute");
    await db
      .updateTable("api_tokens")
      .set({ last_used_at: new Date(Date.now() - 61_000).toISOString() })
      .execute();
    await app.inject({ url: `/units/${acme.unitId}/numbers`, headers });
    const later = await db
      .selectFrom("api_tokens")
      .select("last_used_at")
      .executeTakeFirstOrThrow();
    t.ok(Date.parse(String(later.last_used_at)) > Date.now() - 5_000, "rewritten after a minute");
  },
);

t.test("Each token is rate-limited on its own (429 JSON)", async (t) => {
  const { app, database, acme } = await buildRunGround(t);
  const { db } = database;
  const busy = scriptHeaders(await tokenOf(db, "ed@acme.test", "busy"));
  const calm = scriptHeaders(await tokenOf(db, "ed@acme.test", "calm"));
  const url = "/numbers/check?number=2133734253";
  for (let i = 0; i < TOKEN_RATE_PER_MINUTE; i++) {
    const res = await app.inject({ url, headers: busy });
    if (res.statusCode !== 200) {
      t.fail(`request ${i + 1} refused: ${res.statusCode}`);
      return;
    }
  }
  const over = await app.inject({ url, headers: busy });
  t.equal(over.statusCode, 429);
  t.match(over.json(), { statusCode: 429, error: "Too many requests" });
  t.equal(
    (await app.inject({ url, headers: calm })).statusCode,
    200,
    "another token is not slowed",
  );
  t.equal(
    (await app.inject({ url: `/units/${acme.unitId}/numbers`, headers: { accept: "text/html" } }))
      .statusCode,
    303,
    "signed-out browsers are not counted against tokens",
  );
  void HX;
});
