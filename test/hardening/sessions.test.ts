/**
 * Settings "Sessions" and "Rate limits": sessions end after 30 idle minutes or 12 hours,
 * and sign-in is limited per account as well as per address.
 */
import t from "tap";
import { createDb } from "../../src/db/database.js";
import { Agent } from "../helpers/agent.js";
import { ADMIN_EMAIL, ADMIN_PASSWORD, buildTestApp, form } from "../helpers/app.js";

const HTML = { accept: "text/html" };
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

t.test("a session ends after 30 idle minutes, and after 12 hours whatever its use", async (t) => {
  const { app, admin, database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;
  const page = () => admin.inject({ url: "/businesses", headers: HTML });
  t.equal((await page()).statusCode, 200, "signed in");

  await db
    .updateTable("sessions")
    .set({ last_seen_at: minutesAgo(29) })
    .execute();
  t.equal((await page()).statusCode, 200, "29 idle minutes: still signed in");
  await db
    .updateTable("sessions")
    .set({ last_seen_at: minutesAgo(31) })
    .execute();
  const idle = await page();
  t.equal(idle.statusCode, 303, "31 idle minutes: signed out");
  t.match(String(idle.headers.location), /^\/login/);
  t.equal(
    (await db.selectFrom("sessions").select("id").execute()).length,
    0,
    "and the row is gone",
  );

  const busy = await new Agent(app).signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  t.equal((await busy.inject({ url: "/businesses", headers: HTML })).statusCode, 200);
  // Used a minute ago, but started 12 hours ago: its absolute end has come.
  await db
    .updateTable("sessions")
    .set({
      created_at: minutesAgo(12 * 60 + 1),
      last_seen_at: minutesAgo(1),
      expires_at: minutesAgo(1),
    })
    .execute();
  const old = await busy.inject({ url: "/businesses", headers: HTML });
  t.equal(old.statusCode, 303, "12 hours: signed out however busy");
  t.match(String(old.headers.location), /^\/login/);
});

t.test(
  "a sign-out or a disabled user written by another process counts at the next request",
  async (t) => {
    // Signed-in requests keep their session lookup until the data version moves (on SQLite);
    // a write through another connection, as `npm run user` or a second instance makes, must
    // end the session at once all the same.
    const { app, admin, databaseUrl, close } = await buildTestApp();
    t.teardown(close);
    const other = createDb(databaseUrl);
    t.teardown(() => other.close());
    const page = (agent: Agent) => agent.inject({ url: "/businesses", headers: HTML });
    t.equal((await page(admin)).statusCode, 200, "signed in");
    t.equal((await page(admin)).statusCode, 200, "and again (the lookup is kept now)");
    await other.db.deleteFrom("sessions").execute();
    // Another process's commits are looked for once per turn of the event loop (a request over
    // the network is a new turn; app.inject's chain of promises is not): let one pass.
    await nextTurn();
    const ended = await page(admin);
    t.equal(ended.statusCode, 303, "the session deleted elsewhere: signed out");
    t.match(String(ended.headers.location), /^\/login/);

    const again = await new Agent(app).signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    t.equal((await page(again)).statusCode, 200);
    t.equal((await page(again)).statusCode, 200);
    await other.db.updateTable("users").set({ disabled_at: new Date().toISOString() }).execute();
    await nextTurn();
    t.equal((await page(again)).statusCode, 303, "the user disabled elsewhere: signed out");
  },
);

t.test("a new session lasts 12 hours at most", async (t) => {
  const { database, close } = await buildTestApp();
  t.teardown(close);
  const row = await database.db
    .selectFrom("sessions")
    .select(["created_at", "expires_at"])
    .executeTakeFirstOrThrow();
  t.equal(Date.parse(row.expires_at) - Date.parse(row.created_at), 12 * 3600_000);
});

t.test("rate limits: the 11th sign-in to one account is refused, from any address", async (t) => {
  const { app, close } = await buildTestApp({}, undefined, { signIn: false });
  t.teardown(close);
  const attempt = async (i: number, password: string) => {
    const remoteAddress = `10.0.0.${i + 1}`;
    const agent = new Agent(app);
    agent.takeCsrfFrom((await agent.inject({ url: "/login", remoteAddress })).body);
    return agent.inject({
      method: "POST",
      url: "/login",
      remoteAddress,
      ...form({ email: ADMIN_EMAIL, password, _csrf: agent.csrfToken }),
    });
  };
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await attempt(i, `wrong ${i}`)).statusCode);
  t.same(statuses, Array(10).fill(401), "ten tries, each from its own address");
  const eleventh = await attempt(10, ADMIN_PASSWORD);
  t.equal(eleventh.statusCode, 429, "the 11th is refused, even with the right password");
  t.match(eleventh.body, /Too many sign-in attempts/);
  t.notOk(
    eleventh.cookies.some((c) => c.name === "nd_session"),
    "and no session is started",
  );
  const other = new Agent(app);
  const remoteAddress = "10.0.1.1";
  other.takeCsrfFrom((await other.inject({ url: "/login", remoteAddress })).body);
  const unknown = await other.inject({
    method: "POST",
    url: "/login",
    remoteAddress,
    ...form({ email: "someone@example.test", password: "whatever1", _csrf: other.csrfToken }),
  });
  t.equal(unknown.statusCode, 401, "other accounts are not held up");
});
