/**
 * The backup's promise (issue 6): taken while a 100,000-number upload runs in the portal, a
 * backup restores to a database that passes integrity_check and holds all of that run or
 * none of it, with the job's record agreeing.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { SqliteDatabase } from "../../src/db/sqlite/native.js";
import { backupDatabase } from "../../src/services/ops/backup.js";
import {
  callPurposeId,
  hundredThousandNumbers,
  makeAcmeBilling,
  post,
  signIn,
  startPortal,
} from "../helpers/portal-process.js";

/** What a restored copy holds: its integrity, the run's numbers, and what its job says. */
function inspectRestored(file: string) {
  const db = new SqliteDatabase(file, { readonly: true });
  try {
    const count = (sql: string) => Number(db.prepare(sql).pluck().get());
    return {
      integrity: String(db.pragma("integrity_check", { simple: true })),
      numbers: count("select count(*) from phone_numbers"),
      jobs: count("select count(*) from jobs"),
      jobSucceeded: count("select coalesce(sum(succeeded), 0) from jobs"),
      // Successes are packed, 1,000 to a row (db/tables/jobs.ts).
      added: count(
        "select coalesce(sum(json_array_length(entries)), 0) from job_successes s join jobs j on j.id = s.job_id where j.kind = 'add'",
      ),
    };
  } finally {
    db.close();
  }
}

t.test("a backup taken during a 100,000-number upload is all or nothing", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-backup-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const live = join(dir, "live.db");
  const { child, base } = await startPortal(live);
  t.teardown(() => child.kill("SIGKILL"));
  const session = await signIn(base);
  await makeAcmeBilling(base, session);
  const numbers = hundredThousandNumbers();
  const form = new FormData();
  form.append("call_purpose", await callPurposeId(base, session, "Survey"));
  form.append("file", new Blob([`phone_number\n${numbers.join("\n")}\n`]), "numbers.csv");

  let answered = false;
  const running = post(base, session, "/units/1/numbers/add", form).finally(() => {
    answered = true;
  });

  // Back up again and again while the upload is read, checked and committed, restoring each
  // copy to a database of its own: before the commit a copy has none, after it all.
  const copies: Array<ReturnType<typeof inspectRestored> & { reported: number }> = [];
  do {
    const backup = join(dir, `during-${copies.length}.db`);
    const restored = join(dir, `restored-${copies.length}.db`);
    const report = await backupDatabase(live, backup);
    copyFileSync(backup, restored);
    copies.push({ ...inspectRestored(restored), reported: report.numbers });
    rmSync(backup);
    rmSync(restored);
    // Leave the server most of the (shared) processor while it works.
    await new Promise((resolve) => setTimeout(resolve, 250));
  } while (!answered);
  const res = await running;
  t.equal(res.status, 303, "the upload finished");
  const holding = copies.filter((copy) => copy.numbers > 0).length;
  t.comment(`backups during the run: ${copies.length}, ${holding} of them with it`);
  t.ok(copies.length > 0);
  for (const [i, copy] of copies.entries()) {
    const all = copy.numbers === numbers.length;
    // One assertion per copy, naming it, so a failure says which copy and what it held.
    t.same(
      copy,
      {
        integrity: "ok",
        numbers: all ? numbers.length : 0,
        jobs: all ? 1 : 0,
        jobSucceeded: all ? numbers.length : 0,
        added: all ? numbers.length : 0,
        reported: copy.numbers,
      },
      `backup ${i}: integrity ok; all of the run or none, its job agreeing`,
    );
  }

  // Once the run answered, a backup holds all of it.
  const after = await backupDatabase(live, join(dir, "after.db"));
  t.equal(after.numbers, numbers.length);
  t.equal(inspectRestored(after.file).integrity, "ok");
});
