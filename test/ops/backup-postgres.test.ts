/**
 * `npm run backup -- FILE` on PostgreSQL: pg_dump --format=custom of a running portal's
 * database, checked with pg_restore --list, restorable with pg_restore; the password never
 * printed. The dump itself needs the PostgreSQL lane (NUMBERDESK_TEST_DB=postgres); what
 * happens without pg_dump is checked in both lanes (it needs no server).
 */
import { execFileSync, fork } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import t, { type Test } from "tap";
import { createDb } from "../../src/db/database.js";
import { buildTestApp } from "../helpers/app.js";
import { countRows, insertNumber, makeTree } from "../helpers/fixtures.js";
import { freshPostgresDatabase, onPostgres } from "../helpers/postgres.js";

const CLI = fileURLToPath(new URL("../../src/cli/backup.ts", import.meta.url));
const PASSWORD = "s3cret-Pa55";

function runBackup(databaseUrl: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = fork(CLI, args, {
    execArgv: process.execArgv,
    env: { ...process.env, DATABASE_URL: databaseUrl, ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("close", (code) => resolve({ code, stdout, stderr })),
  );
}

/** The same URL with a password in it (the test cluster trusts local connections). */
function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = PASSWORD;
  return parsed.toString();
}

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-pgdump-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test("without pg_dump it says what to install, prints no password, leaves no file", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "backup.dump");
  const url = `postgres://numberdesk:${PASSWORD}@127.0.0.1:1/numberdesk`;
  // No folder on PATH holds pg_dump (node itself is started by its full path).
  const res = await runBackup(url, [file], { PATH: join(dir, "empty-bin") });
  t.equal(res.code, 1);
  t.match(res.stderr, /Backup failed: pg_dump was not found: install the PostgreSQL client tools/);
  t.match(res.stderr, /apt-get install postgresql-client/);
  t.notMatch(res.stdout + res.stderr, PASSWORD);
  t.notOk(existsSync(file));
  t.notOk(existsSync(`${file}.partial`));
});

if (onPostgres) {
  t.test("dumps a running portal's database, checked, restorable, password unsaid", async (t) => {
    const dir = tempDir(t);
    // A running portal on a database of its own (with its first admin, whom makeTree credits).
    const { database, databaseUrl, close } = await buildTestApp({}, undefined, { signIn: false });
    t.teardown(close);
    const acme = await makeTree(database.db, "ACME");
    await insertNumber(database.db, "+12133734253", { businessId: acme.businessId });
    await insertNumber(database.db, "+12133734254", { businessId: acme.businessId });

    const file = join(dir, "backup.dump");
    const url = withPassword(databaseUrl);
    const first = await runBackup(url, [file]);
    t.equal(first.code, 0, first.stderr);
    t.match(
      first.stdout,
      /^Backup written to .*backup\.dump: [\d.]+ MB, 2 numbers, pg_restore --list ok, [\d.]+ s\n$/,
    );
    t.notMatch(first.stdout + first.stderr, PASSWORD);
    t.notOk(existsSync(`${file}.partial`));
    t.equal(readFileSync(file).subarray(0, 5).toString(), "PGDMP", "custom format");
    const listing = execFileSync("pg_restore", ["--list", file], { encoding: "utf8" });
    t.match(listing, /TABLE DATA public phone_numbers /);
    t.match(listing, /TABLE DATA public kysely_migration /);

    // An existing FILE stays as it was unless --force.
    await insertNumber(database.db, "+12133734255", { businessId: acme.businessId });
    const before = readFileSync(file);
    const refused = await runBackup(url, [file]);
    t.equal(refused.code, 1);
    t.match(refused.stderr, /already exists; add --force/);
    t.same(readFileSync(file), before);
    const forced = await runBackup(url, [file, "--force"]);
    t.equal(forced.code, 0, forced.stderr);
    t.match(forced.stdout, /3 numbers, pg_restore --list ok/);

    // The documented restore: pg_restore into an empty database (docs/deployment.md).
    const target = await freshPostgresDatabase({ empty: true });
    t.teardown(() => target.drop());
    execFileSync("pg_restore", ["--no-owner", "--exit-on-error", `--dbname=${target.url}`, file]);
    const restored = createDb(target.url);
    t.teardown(() => restored.close());
    t.equal(await countRows(restored.db, "phone_numbers"), 3);
  });

  t.test("a server that does not answer: a failure that names no URL or password", async (t) => {
    const dir = tempDir(t);
    const file = join(dir, "backup.dump");
    writeFileSync(`${file}.partial`, "left over by a backup that died");
    const res = await runBackup(`postgres://numberdesk:${PASSWORD}@127.0.0.1:1/numberdesk`, [file]);
    t.equal(res.code, 1);
    t.match(res.stderr, /Backup failed: the PostgreSQL database of DATABASE_URL does not answer/);
    t.notMatch(res.stdout + res.stderr, PASSWORD);
    t.notMatch(res.stdout + res.stderr, "127.0.0.1:1");
    t.notOk(existsSync(file));
    t.notOk(existsSync(`${file}.partial`));
  });
}
