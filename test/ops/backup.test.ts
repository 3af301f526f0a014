/**
 * `npm run backup -- FILE` as an operator meets it: the command's answers, what it leaves on
 * disk when it cannot back up, and the documented restore (README, docs/deployment.md).
 */
import { fork } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import t, { type Test } from "tap";
import { buildApp } from "../../src/app.js";
import { parseBackupArgs } from "../../src/cli/backup.js";
import { loadConfig } from "../../src/config.js";
import { createDb } from "../../src/db/database.js";
import { SqliteDatabase } from "../../src/db/sqlite/native.js";
import { backupDatabase } from "../../src/services/ops/backup.js";
import { Agent } from "../helpers/agent.js";
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEST_HASHING } from "../helpers/app.js";
import { insertNumber, makeTree } from "../helpers/fixtures.js";

const CLI = fileURLToPath(new URL("../../src/cli/backup.ts", import.meta.url));

/** Runs the backup command as `npm run backup` would, on DATABASE_URL=`databaseUrl`. */
function runBackup(databaseUrl: string, args: string[]) {
  const child = fork(CLI, args, {
    execArgv: process.execArgv,
    env: { ...process.env, DATABASE_URL: databaseUrl },
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

/** The portal on `file`, as a test app with its admin signed in. */
async function openPortal(file: string) {
  const config = {
    ...loadConfig({}),
    databaseUrl: file,
    logLevel: "silent",
    adminEmail: ADMIN_EMAIL,
    adminPassword: ADMIN_PASSWORD,
    passwordHashing: TEST_HASHING,
  };
  const database = createDb(file);
  const app = await buildApp({ config, database, logger: false });
  await app.ready();
  const admin = await new Agent(app).signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  return { app, database, admin };
}

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-backup-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test("arguments: one FILE, optionally --force", async (t) => {
  t.same(parseBackupArgs(["b.db"]), { file: "b.db", force: false });
  t.same(parseBackupArgs(["--force", "b.db"]), { file: "b.db", force: true });
  t.throws(() => parseBackupArgs([]), /FILE is required/);
  t.throws(() => parseBackupArgs(["a.db", "b.db"]), /Unexpected argument: b.db/);
  t.throws(() => parseBackupArgs(["b.db", "--overwrite"]), /Unknown option/);
});

t.test("backs up a running portal, checks the copy and says what it wrote", async (t) => {
  const dir = tempDir(t);
  const live = join(dir, "live.db");
  const { app, database } = await openPortal(live);
  t.teardown(() => app.close());
  const acme = await makeTree(database.db, "ACME");
  await insertNumber(database.db, "+12133734253", { businessId: acme.businessId });
  await insertNumber(database.db, "+12133734254", { businessId: acme.businessId });

  const file = join(dir, "backup.db");
  const first = await runBackup(live, [file]);
  t.equal(first.code, 0, first.stderr);
  t.match(
    first.stdout,
    /^Backup written to .*backup\.db: [\d.]+ MB, 2 numbers, integrity ok, [\d.]+ s\n$/,
  );
  const copy = new SqliteDatabase(file, { readonly: true });
  t.equal(copy.pragma("integrity_check", { simple: true }), "ok");
  t.equal(copy.prepare("select count(*) from phone_numbers").pluck().get(), 2);
  // One self-contained file: nothing of it waits in a -wal beside it.
  t.equal(copy.pragma("journal_mode", { simple: true }), "delete");
  copy.close();
  t.notOk(existsSync(`${file}.partial`));

  // An existing FILE stays as it was unless --force.
  await insertNumber(database.db, "+12133734255", { businessId: acme.businessId });
  const before = readFileSync(file);
  const refused = await runBackup(live, [file]);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /already exists; add --force/);
  t.same(readFileSync(file), before, "the earlier backup is untouched");
  const forced = await runBackup(live, [file, "--force"]);
  t.equal(forced.code, 0, forced.stderr);
  t.match(forced.stdout, /3 numbers, integrity ok/);

  const usage = await runBackup(live, []);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /Usage:\n {2}npm run backup -- FILE/);
});

t.test("leaves nothing at FILE when it cannot back up", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "backup.db");

  await t.rejects(backupDatabase(join(dir, "nowhere.db"), file), /No database at/);
  t.notOk(existsSync(join(dir, "nowhere.db")), "no empty database is created");

  // A database whose index pages are damaged: SQLite's backup copies them as they are, and
  // the check of the copy must catch it.
  const damaged = join(dir, "damaged.db");
  const db = new SqliteDatabase(damaged);
  db.exec("create table phone_numbers (id integer primary key, e164 text not null)");
  db.exec("create index by_e164 on phone_numbers (e164)");
  const insert = db.prepare("insert into phone_numbers (e164) values (?)");
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`+1213373${String(i).padStart(4, "0")}`);
  })();
  const root = Number(
    db.prepare("select rootpage from sqlite_schema where name = 'by_e164'").pluck().get(),
  );
  const pageSize = Number(db.pragma("page_size", { simple: true }));
  db.close();
  const fd = openSync(damaged, "r+");
  writeSync(fd, Buffer.alloc(64, 0x41), 0, 64, root * pageSize - 200);
  closeSync(fd);

  writeFileSync(`${file}.partial`, "left over by a backup that died");
  const corrupt = await runBackup(damaged, [file]);
  t.equal(corrupt.code, 1);
  t.match(corrupt.stderr, /Backup failed: The copy failed integrity_check: .*(page|malformed)/);
  t.notOk(existsSync(file), "no backup at FILE");
  t.notOk(existsSync(`${file}.partial`), "no half-written copy either");

  await t.rejects(backupDatabase(damaged, join(dir, "no", "b.db")), /No folder/);
  await t.rejects(backupDatabase(damaged, damaged), /is the live database/);
  await t.rejects(backupDatabase(damaged, `${damaged}-wal`), /is the live database/);
});

t.test("restore: the portal starts on a backup and shows what it held", async (t) => {
  const dir = tempDir(t);
  const live = join(dir, "live.db");
  const first = await openPortal(live);
  const acme = await makeTree(first.database.db, "ACME");
  await insertNumber(first.database.db, "+12133734253", { businessId: acme.businessId });
  const backup = join(dir, "backup.db");
  await backupDatabase(live, backup);
  // Written after the backup: a restore takes the portal back to before this.
  await insertNumber(first.database.db, "+13107284411", { businessId: acme.businessId });
  await first.app.close();

  // The documented steps: portal stopped, backup copied over DATABASE_URL, -wal/-shm removed.
  copyFileSync(backup, live);
  rmSync(`${live}-wal`, { force: true });
  rmSync(`${live}-shm`, { force: true });

  const second = await openPortal(live);
  t.teardown(() => second.app.close());
  t.equal((await second.app.inject({ url: "/readyz" })).statusCode, 200);
  const page = await second.admin.inject({ url: `/businesses/${acme.businessId}/numbers` });
  t.equal(page.statusCode, 200);
  t.match(page.body, /\(213\) 373-4253/, "the backed-up number is there");
  t.notMatch(page.body, /\(310\) 728-4411/, "the later one is not");
});
