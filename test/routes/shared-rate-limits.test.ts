/**
 * Rate limits counted across instances (issue 14): on PostgreSQL, hits spread over two
 * instances on one database are refused at the same total as on one (sign-in per address and
 * per account, uploads, API tokens). On SQLite (one process per file) each process counts
 * its own, in memory, and writes nothing for them: that is checked too.
 */
import { randomBytes } from "node:crypto";
import t from "tap";
import { COMMAND_LINE, createUser } from "../../src/services/people/users.js";
import { TOKEN_RATE_PER_MINUTE } from "../../src/web/plugins/api-token-auth.js";
import { Agent } from "../helpers/agent.js";
import { ADMIN_EMAIL, TEST_HASHING } from "../helpers/app.js";
import { makeTree } from "../helpers/fixtures.js";
import { buildTwoInstances, sameBrowserOn } from "../helpers/instances.js";
import { scriptHeaders, tokenOf } from "../helpers/tokens.js";

/**
 * PostgreSQL counts limits in the database, for every instance; SQLite (one process per
 * file) in each process's memory, so that a counted hit never waits for the file's write lock.
 */
const shared = (app: { database: { kind: string } }) => app.database.kind === "postgres";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** A signed-out browser with the sign-in page's token, on A and the same browser on B. */
async function signedOutBrowser(a: Agent["app"], b: Agent["app"]): Promise<[Agent, Agent]> {
  const onA = new Agent(a);
  onA.takeCsrfFrom((await onA.inject({ url: "/login" })).body);
  return [onA, sameBrowserOn(onA, b)];
}

const signInFrom = (agent: Agent, remoteAddress: string, email: string, password: string) =>
  agent.inject({
    method: "POST",
    url: "/login",
    remoteAddress,
    payload: new URLSearchParams({ email, password, _csrf: agent.csrfToken }).toString(),
    headers: FORM,
  });

t.test("sign-in attempts from one address count on both instances", async (t) => {
  const { a, b } = await buildTwoInstances(t);
  const [onA, onB] = await signedOutBrowser(a.app, b.app);
  const address = "203.0.113.7";
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) {
    const agent = shared(a) && i % 2 === 1 ? onB : onA;
    statuses.push((await signInFrom(agent, address, `nobody${i}@example.test`, "nope")).statusCode);
  }
  t.same(statuses, Array(10).fill(401), "ten attempts, five on each");
  t.equal((await signInFrom(onA, address, "x@example.test", "nope")).statusCode, 429);
  const onB11 = await signInFrom(onB, address, "z@example.test", "nope");
  t.equal(
    onB11.statusCode,
    shared(a) ? 429 : 401,
    shared(a) ? "the 11th on B too" : "B counts its own",
  );
  t.equal(
    (await signInFrom(onB, "203.0.113.8", "y@example.test", "nope")).statusCode,
    401,
    "another address has its own budget",
  );
});

t.test(
  "sign-in attempts at one account count on both instances, whatever the address",
  async (t) => {
    const { a, b } = await buildTwoInstances(t);
    // Someone who has not signed in yet in this window (the admin did, on A, at start).
    const acme = await makeTree(a.database.db, "ACME");
    const { oneTimePassword } = await createUser(
      a.database.db,
      COMMAND_LINE,
      { email: "eve@example.test", role: "viewer", scope: `business:${acme.businessId}` },
      TEST_HASHING,
    );
    const [onA, onB] = await signedOutBrowser(a.app, b.app);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const agent = shared(a) && i % 2 === 1 ? onB : onA;
      statuses.push(
        (await signInFrom(agent, `198.51.100.${i}`, "eve@example.test", "wrong")).statusCode,
      );
    }
    t.same(statuses, Array(10).fill(401));
    const eleventh = await signInFrom(onA, "198.51.100.99", "eve@example.test", oneTimePassword);
    t.equal(eleventh.statusCode, 429, "the account's 11th attempt, from a new address");
    t.equal(
      (await signInFrom(onB, "198.51.100.98", "eve@example.test", "wrong")).statusCode,
      shared(a) ? 429 : 401,
      shared(a) ? "and on B" : "B counts its own",
    );
  },
);

/** A multipart upload form with one file, built by hand. */
function uploadBody(fields: Record<string, string>, content: string) {
  const boundary = `----numberdesk${randomBytes(8).toString("hex")}`;
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="numbers.csv"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n`,
    `--${boundary}--\r\n`,
  );
  return {
    payload: Buffer.from(parts.join("")),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

t.test("one user's uploads count on both instances", async (t) => {
  const { a, b } = await buildTwoInstances(t);
  const acme = await makeTree(a.database.db, "ACME");
  const onB = sameBrowserOn(a.admin, b.app);
  const url = `/units/${acme.unitId}/numbers/add`;
  const upload = (agent: Agent, i: number) =>
    agent.inject({
      method: "POST",
      url,
      ...uploadBody({ _csrf: agent.csrfToken, call_purpose: "1" }, `+1213728${1000 + i}`),
    });
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) {
    statuses.push((await upload(shared(a) && i % 2 === 1 ? onB : a.admin, i)).statusCode);
  }
  t.same(statuses, Array(10).fill(303), "ten uploads, five on each");
  t.equal((await upload(a.admin, 10)).statusCode, 429, "the 11th is refused");
  t.equal(
    (await upload(onB, 11)).statusCode,
    shared(a) ? 429 : 303,
    shared(a) ? "on B too" : "B counts its own",
  );
});

t.test("an API token's budget: one across instances on PostgreSQL", async (t) => {
  const { a, b } = await buildTwoInstances(t);
  const headers = scriptHeaders(await tokenOf(a.database.db, ADMIN_EMAIL));
  const url = "/numbers/check?number=2133734253";
  const statusOn = async (app: Agent["app"]) => (await app.inject({ url, headers })).statusCode;
  if (a.database.kind === "postgres") {
    for (let i = 0; i < TOKEN_RATE_PER_MINUTE; i++) {
      const status = await statusOn(i % 2 ? b.app : a.app);
      if (status !== 200) {
        t.fail(`request ${i + 1} refused: ${status}`);
        return;
      }
    }
    t.equal(await statusOn(a.app), 429, "the budget spent over both: refused on A");
    t.equal(await statusOn(b.app), 429, "and on B");
  } else {
    // SQLite: one process per file; each counts its own, so a script's reads are no writes.
    const rows = () => a.database.db.selectFrom("rate_limits").select("key").execute();
    for (let i = 0; i < TOKEN_RATE_PER_MINUTE; i++) {
      const status = await statusOn(a.app);
      if (status !== 200) {
        t.fail(`request ${i + 1} refused: ${status}`);
        return;
      }
    }
    t.equal(await statusOn(a.app), 429, "A's budget is spent");
    t.equal(await statusOn(b.app), 200, "B counts its own");
    t.equal((await rows()).length, 0, "and nothing was written for them");
  }
});
