/**
 * docs/scripting.md cannot rot: every ```sh block with curl in it is run with bash against a
 * live portal (a child process on a random port with a temporary database), with the
 * variables and files the page tells readers to have, and must exit 0 and answer what the
 * page says. Blocks are named after the language (```sh add-text); files the examples use
 * are the page's own ```csv numbers.csv and ```text old-numbers.txt blocks.
 */
import { execFile, execFileSync, fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Kysely } from "kysely";
import t, { type Test } from "tap";
import { createDb, type DB } from "../../src/db/database.js";
import { COMMAND_LINE, createUser } from "../../src/services/people/users.js";
import { TEST_HASHING } from "../helpers/app.js";
import { insertNumber, makeTree } from "../helpers/fixtures.js";
import { tokenOf } from "../helpers/tokens.js";

const CHILD = fileURLToPath(new URL("../helpers/server-child.ts", import.meta.url));
const DOC = fileURLToPath(new URL("../../docs/scripting.md", import.meta.url));
const USER = "jo@acme.example";
const TOKEN_NAME = "docs examples";

interface Block {
  lang: string;
  name: string;
  code: string;
}

function blocksOf(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(\w+)[ \t]*([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1] ?? "",
    name: (m[2] ?? "").trim(),
    code: m[3] ?? "",
  }));
}

function startServer(databaseUrl: string) {
  const child = fork(CHILD, [databaseUrl], { execArgv: process.execArgv, stdio: "ignore" });
  const base = new Promise<string>((resolve, reject) => {
    child.once("message", (message) => {
      const port = /listening (\d+)/.exec(String(message))?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
      else reject(new Error(`unexpected: ${String(message)}`));
    });
    child.once("exit", (code) => reject(new Error(`server exited early (${code})`)));
  });
  return { child, base };
}

function runBash(code: string, cwd: string, env: Record<string, string>) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      "bash",
      ["-c", `set -euo pipefail\n${code}`],
      { cwd, env: { PATH: process.env.PATH ?? "", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

const numberAt = (db: Kysely<DB>, e164: string) =>
  db
    .selectFrom("phone_numbers")
    .leftJoin("call_purposes", "call_purposes.id", "phone_numbers.call_purpose_id")
    .select(["phone_numbers.program_id", "call_purposes.name as purpose"])
    .where("e164", "=", e164)
    .executeTakeFirst();

type Check = (t: Test, stdout: string, db: Kysely<DB>) => Promise<void>;

const outcomesOf = (json: { outcomes: Array<{ outcome: string; code: string | null }> }) =>
  json.outcomes.map((o) => [o.outcome, o.code]);

/** What each named example must answer (and leave behind), in the page's order. */
const CHECKS: Record<string, Check> = {
  "list-numbers": async (t, stdout) => {
    const json = JSON.parse(stdout);
    t.equal(json.level.name, "ACME Corp › Billing");
    t.equal(json.total, 1);
    t.match(json.numbers, [
      { phone_number: "+12133734253", national: "(213) 373-4253", status: "active" },
    ]);
  },
  "call-purposes": async (t, stdout, db) => {
    const json = JSON.parse(stdout);
    const survey = await db
      .selectFrom("call_purposes")
      .select("id")
      .where("name", "=", "Survey")
      .executeTakeFirstOrThrow();
    t.ok(
      json.call_purposes.some((p: { id: number }) => p.id === survey.id),
      "lists Survey",
    );
    const program = await db
      .selectFrom("programs")
      .select("default_call_purpose_id")
      .executeTakeFirstOrThrow();
    t.equal(json.default_call_purpose, program.default_call_purpose_id);
  },
  "add-text": async (t, stdout, db) => {
    const json = JSON.parse(stdout);
    t.match(json.job, { kind: "add", source: "manual", total: 3, succeeded: 2, rejected: 1 });
    t.same(outcomesOf(json), [
      ["added", null],
      ["added", null],
      ["rejected", "INVALID_FORMAT"],
    ]);
    t.equal((await numberAt(db, "+12133734255"))?.program_id, 1, "added in program 1");
  },
  "add-purposes": async (t, stdout, db) => {
    const json = JSON.parse(stdout);
    t.match(json.job, { kind: "add", total: 2, succeeded: 2, rejected: 0 });
    t.equal((await numberAt(db, "+12133734261"))?.purpose, "Survey", "its own purpose");
    t.equal(
      (await numberAt(db, "+12133734262"))?.purpose,
      "Customer Service",
      "the program's default",
    );
  },
  "add-file": async (t, stdout, db) => {
    const json = JSON.parse(stdout);
    t.match(json.job, { kind: "add", source: "upload", total: 2, succeeded: 2, rejected: 0 });
    t.ok(await numberAt(db, "+12133734257"));
    t.ok(await numberAt(db, "+12133734258"));
  },
  "delete-without-confirm": async (t, stdout, db) => {
    const json = JSON.parse(stdout);
    t.equal(json.statusCode, 422);
    t.match(json.errors, { confirm: /confirm=yes/ });
    t.ok(await numberAt(db, "+12133734255"), "nothing deleted");
  },
  "delete-text": async (t, stdout, db) => {
    const json = JSON.parse(stdout);
    t.match(json.job, { kind: "delete", total: 2, succeeded: 1, rejected: 1 });
    t.same(outcomesOf(json), [
      ["removed", null],
      ["rejected", "NOT_FOUND"],
    ]);
    t.notOk(await numberAt(db, "+12133734255"), "deleted");
  },
  "delete-file": async (t, stdout, db) => {
    const json = JSON.parse(stdout);
    t.match(json.job, { kind: "delete", source: "upload", succeeded: 2, rejected: 0 });
    t.notOk(await numberAt(db, "+12133734257"));
    t.notOk(await numberAt(db, "+12133734258"));
  },
  "edit-call-purpose": async (t, stdout, db) => {
    const json = JSON.parse(stdout);
    t.match(json, {
      ok: true,
      message: "(213) 373-4256 now has the call purpose Survey.",
      number: { phone_number: "+12133734256", call_purpose: { name: "Survey" } },
    });
    t.equal((await numberAt(db, "+12133734256"))?.purpose, "Survey");
  },
  "remove-one": async (t, stdout, db) => {
    const json = JSON.parse(stdout);
    t.match(json, { ok: true, message: /^Removed \(213\) 373-4256\./ });
    t.notOk(await numberAt(db, "+12133734256"));
  },
  "job-result": async (t, stdout) => {
    const [first, ...csv] = stdout.trimEnd().split(/\r?\n/);
    const json = JSON.parse(String(first));
    t.match(json.job, { kind: "add", total: 2, succeeded: 1, rejected: 1 });
    t.same(outcomesOf(json), [
      ["added", null],
      ["rejected", "DUPLICATE_IN_LIST"],
    ]);
    t.equal(csv[0], "line,input,phone_number,outcome,code,reason,message");
    // Spreadsheet-safe: cells starting with + are prefixed with ' (hardening.md, CSV out).
    t.match(csv[1], /^1,'\+1 213 373 4259,\+12133734259,added,/);
    t.match(csv[2], /^2,'\+1 213 373 4259,\+12133734259,rejected,DUPLICATE_IN_LIST,/);
  },
  runs: async (t, stdout) => {
    const json = JSON.parse(stdout);
    t.match(json, { filters: { kind: "delete" }, page: 1 });
    t.ok(json.runs.length >= 1, "the delete runs so far");
    for (const run of json.runs) {
      t.match(run, { kind: "delete", user: USER, undone: null, href: `/jobs/${run.id}` });
    }
  },
  "recently-removed": async (t, stdout) => {
    const json = JSON.parse(stdout);
    const removed = json.removals.map((r: { phone_number: string }) => r.phone_number).sort();
    t.same(removed, ["+12133734255", "+12133734256", "+12133734257", "+12133734258"]);
    t.ok(json.removals.every((r: { state: string }) => r.state === "restorable"));
  },
  activity: async (t, stdout) => {
    const json = JSON.parse(stdout);
    t.ok(json.events.length >= 5, "every run so far");
    for (const e of json.events) {
      t.match(e, { user: USER, token: TOKEN_NAME, action: /^job\./ });
    }
  },
  overview: async (t, stdout, db) => {
    const json = JSON.parse(stdout);
    const held = await db
      .selectFrom("phone_numbers")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("business_unit_id", "=", 1)
      .executeTakeFirstOrThrow();
    t.equal(json.total, Number(held.n), "every number of the unit");
    t.equal(json.by_status.active, json.total, "all in the active program");
    t.equal(json.weeks.length, 12);
    t.equal(json.weeks[11].removed, 4, "this week's four removals, from the audit log");
    t.equal(json.expiring_soon, null);
  },
  "two-factor-status": async (t, stdout, db) => {
    t.same(JSON.parse(stdout), {
      enabled: false,
      required: false,
      since: null,
      recovery_codes_left: 0,
    });
    const pending = await db.selectFrom("two_factor").selectAll().execute();
    t.same(pending, [], "a token's look starts no enrolment");
  },
};

t.test("every curl example in docs/scripting.md runs and answers what it says", async (t) => {
  try {
    execFileSync("jq", ["--version"], { stdio: "ignore" });
  } catch {
    t.fail("the examples use jq: install it (apt-get install jq)");
    return;
  }
  const blocks = blocksOf(readFileSync(DOC, "utf8"));
  const examples = blocks.filter((b) => b.lang === "sh" && b.code.includes("curl"));
  t.same(
    examples.map((b) => b.name),
    Object.keys(CHECKS),
    "every example is named and checked, in the page's order",
  );

  const dir = mkdtempSync(join(tmpdir(), "numberdesk-docs-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // The files the page shows are the files the examples upload.
  for (const file of blocks.filter((b) => b.lang !== "sh" && /\.\w+$/.test(b.name))) {
    writeFileSync(join(dir, file.name), file.code);
  }

  const file = join(dir, "docs.db");
  const { child, base } = startServer(file);
  t.teardown(() => child.kill("SIGKILL"));
  const url = await base;

  // The ground the page describes: ACME Corp › Billing (unit 1) › Q4 Reminders (program 1),
  // one number in it, and an editor of ACME with a token.
  const database = createDb(file);
  t.teardown(() => database.close());
  const { db } = database;
  const tree = await makeTree(db, "ACME");
  t.same(tree, { businessId: 1, unitId: 1, programId: 1 }, "the ids the examples use");
  await insertNumber(db, "+12133734253", { businessId: 1, unitId: 1, programId: 1 });
  await createUser(
    db,
    COMMAND_LINE,
    { email: USER, role: "editor", scope: "business:1" },
    TEST_HASHING,
  );
  const token = await tokenOf(db, USER, TOKEN_NAME);

  for (const example of examples) {
    const result = await runBash(example.code, dir, {
      NUMBERDESK_URL: url,
      NUMBERDESK_TOKEN: token,
    });
    t.equal(result.status, 0, `${example.name} exits 0`);
    if (result.status !== 0) t.comment(result.stderr, result.stdout);
    const check = CHECKS[example.name];
    if (!check) continue;
    await t.test(example.name, async (t) => {
      try {
        await check(t, result.stdout, db);
      } catch (error) {
        t.fail(`${(error as Error).message}\n${result.stdout}`);
      }
    });
  }
});
