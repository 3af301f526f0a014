import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { parseUserArgs } from "../../src/cli/user.js";
import { createDb } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { authenticateToken } from "../../src/services/people/api-tokens.js";
import { codeAt, hasSecondFactor } from "../../src/services/people/two-factor.js";
import {
  confirmEnrolment,
  startEnrolment,
} from "../../src/services/people/two-factor-enrolment.js";
import { COMMAND_LINE, createUser, toCurrentUser } from "../../src/services/people/users.js";

t.test("npm run user: arguments", async (t) => {
  t.same(
    parseUserArgs(["add", "--email", "jo@acme.test", "--role", "editor", "--scope", "unit:3"]),
    {
      command: "add",
      email: "jo@acme.test",
      role: "editor",
      scope: "unit:3",
    },
  );
  t.same(parseUserArgs(["add", "--email", "p@x.test", "--role", "portal_admin"]), {
    command: "add",
    email: "p@x.test",
    role: "portal_admin",
    scope: "portal",
  });
  t.same(parseUserArgs(["password", "--email", "jo@acme.test"]), {
    command: "password",
    email: "jo@acme.test",
  });
  t.same(parseUserArgs(["disable", "--email", "jo@acme.test"]), {
    command: "disable",
    email: "jo@acme.test",
  });
  t.throws(() => parseUserArgs(["add", "--email", "jo@acme.test", "--role", "viewer"]), /--scope/);
  t.throws(() => parseUserArgs(["add", "--role", "viewer"]), /--email is required/);
  t.throws(() => parseUserArgs(["promote", "--email", "x@y.z"]), /Unknown command: promote/);
  t.throws(
    () =>
      parseUserArgs(["add", "--email", "a@b.c", "--role", "viewer", "--scope", "unit:1", "--sudo"]),
    /Unknown option/,
  );
});

t.test("npm run user: token arguments", async (t) => {
  t.same(parseUserArgs(["token", "create", "jo@acme.test", "nightly", "sync"]), {
    command: "token-create",
    email: "jo@acme.test",
    name: "nightly sync",
  });
  t.same(parseUserArgs(["token", "list", "jo@acme.test"]), {
    command: "token-list",
    email: "jo@acme.test",
  });
  t.same(parseUserArgs(["token", "revoke", "jo@acme.test", "12"]), {
    command: "token-revoke",
    email: "jo@acme.test",
    id: 12,
  });
  t.throws(() => parseUserArgs(["token", "create", "jo@acme.test"]), /NAME is required/);
  t.throws(() => parseUserArgs(["token", "revoke", "jo@acme.test", "x"]), /ID \(a number\)/);
  t.throws(() => parseUserArgs(["token", "revoke", "jo@acme.test", "1", "2"]), /Unexpected/);
  t.throws(() => parseUserArgs(["token", "list"]), /EMAIL is required/);
  t.throws(() => parseUserArgs(["token", "mint", "jo@acme.test"]), /Unknown token command/);
});

const CLI = fileURLToPath(new URL("../../src/cli/user.ts", import.meta.url));

/** Runs `npm run user -- …` (its TypeScript source) on a database file. */
function runCli(databaseUrl: string, args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = fork(CLI, args, {
      execArgv: process.execArgv,
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

t.test("npm run user -- token create | list | revoke", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-cli-"));
  const file = join(dir, "cli.db");
  const database = createDb(file);
  t.teardown(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await migrateToLatest(database);
  await createUser(
    database.db,
    COMMAND_LINE,
    { email: "jo@acme.test", role: "portal_admin", scope: "portal" },
    { N: 2 ** 10, r: 8, p: 1 },
  );

  const created = await runCli(file, ["token", "create", "jo@acme.test", "nightly", "sync"]);
  t.equal(created.code, 0, created.stderr);
  const secret = /^(nd_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1] ?? "";
  t.ok(secret, "the token is printed once");
  t.ok(await authenticateToken(database.db, secret), "and it works");

  const listed = await runCli(file, ["token", "list", "jo@acme.test"]);
  t.equal(listed.code, 0);
  t.match(listed.stdout, /^\d+\tnightly sync\tnd_\S{4}…\tcreated /m);
  t.notMatch(listed.stdout, new RegExp(secret.slice(8)), "never printed again");
  const id = /^(\d+)\t/m.exec(listed.stdout)?.[1] ?? "";

  const unknown = await runCli(file, ["token", "list", "nobody@acme.test"]);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /No user with the email nobody@acme.test/);

  const revoked = await runCli(file, ["token", "revoke", "jo@acme.test", id]);
  t.equal(revoked.code, 0, revoked.stderr);
  t.match(revoked.stdout, /Revoked the API token “nightly sync”/);
  t.equal(await authenticateToken(database.db, secret), null, "refused from now on");
  const twice = await runCli(file, ["token", "revoke", "jo@acme.test", id]);
  t.equal(twice.code, 1);
  t.match(twice.stderr, /No such token/);

  const events = await database.db
    .selectFrom("audit_events")
    .select(["action", "actor_email"])
    .where("subject_type", "=", "api_token")
    .orderBy("id")
    .execute();
  t.same(events, [
    { action: "token.create", actor_email: "command line" },
    { action: "token.revoke", actor_email: "command line" },
  ]);
});

t.test("npm run user -- mfa reset --email E: the second factor is gone, audited", async (t) => {
  t.same(parseUserArgs(["mfa", "reset", "--email", "jo@acme.test"]), {
    command: "mfa-reset",
    email: "jo@acme.test",
  });
  t.throws(() => parseUserArgs(["mfa", "reset"]), /--email is required/);
  t.throws(() => parseUserArgs(["mfa", "off", "--email", "a@b.c"]), /Unknown mfa command: off/);
  t.throws(() => parseUserArgs(["mfa", "reset", "x", "--email", "a@b.c"]), /Unexpected argument/);

  const dir = mkdtempSync(join(tmpdir(), "numberdesk-cli-"));
  const file = join(dir, "cli.db");
  const database = createDb(file);
  t.teardown(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await migrateToLatest(database);
  const { user } = await createUser(
    database.db,
    COMMAND_LINE,
    { email: "jo@acme.test", role: "portal_admin", scope: "portal" },
    { N: 2 ** 10, r: 8, p: 1 },
  );
  const jo = toCurrentUser(user);
  const { secret } = await startEnrolment(database.db, jo);
  await confirmEnrolment(database.db, jo, codeAt(secret, Date.now()));
  t.ok(await hasSecondFactor(database.db, user.id), "enrolled");

  const reset = await runCli(file, ["mfa", "reset", "--email", "JO@acme.test"]);
  t.equal(reset.code, 0, reset.stderr);
  t.match(reset.stdout, /Reset the two-factor sign-in of jo@acme\.test/);
  t.notOk(await hasSecondFactor(database.db, user.id), "the second factor is gone");
  const codes = await database.db.selectFrom("recovery_codes").selectAll().execute();
  t.equal(codes.length, 0, "and its recovery codes");

  const again = await runCli(file, ["mfa", "reset", "--email", "jo@acme.test"]);
  t.equal(again.code, 0);
  t.match(again.stdout, /had no two-factor sign-in/);
  const unknown = await runCli(file, ["mfa", "reset", "--email", "nobody@acme.test"]);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /No user with the email nobody@acme.test/);

  const events = await database.db
    .selectFrom("audit_events")
    .select(["action", "actor_email", "subject_id"])
    .where("action", "=", "user.two_factor_reset")
    .orderBy("id")
    .execute();
  t.same(events, [
    { action: "user.two_factor_reset", actor_email: "command line", subject_id: user.id },
    { action: "user.two_factor_reset", actor_email: "command line", subject_id: user.id },
  ]);
});
