/**
 * hardening.md 17: kill -9 during a 100,000-number run, then restart: the run is all or
 * nothing and the database passes integrity_check.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { SqliteDatabase } from "../../src/db/sqlite/native.js";
import {
  callPurposeId,
  hundredThousandNumbers,
  makeAcmeBilling,
  post,
  signIn,
  startPortal,
} from "../helpers/portal-process.js";

t.test(
  "kill -9 in the middle of a 100,000-number add: all or nothing",
  { timeout: 180_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "numberdesk-crash-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "crash.db");
    let { child, base } = await startPortal(file);
    t.teardown(() => child.kill("SIGKILL"));
    let session = await signIn(base);
    await makeAcmeBilling(base, session);
    const numbers = hundredThousandNumbers();
    const survey = await callPurposeId(base, session, "Survey");

    // Start the run, then kill the server hard while it works on it.
    const running = post(base, session, "/units/1/numbers/add", {
      numbers: numbers.join("\n"),
      call_purpose: survey,
    }).catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 1_500 + Math.random() * 2_500));
    // Listen for the exit before killing: by the time the request fails, it has happened.
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await running;
    await exited;

    // The database on disk: consistent, and holding all of the run or none of it.
    const db = new SqliteDatabase(file);
    t.equal(db.pragma("integrity_check", { simple: true }), "ok");
    const count = Number(db.prepare("select count(*) from phone_numbers").pluck().get());
    const jobs = Number(db.prepare("select count(*) from jobs").pluck().get());
    db.close();
    t.ok(count === 0 || count === numbers.length, `all or nothing (found ${count})`);
    t.equal(jobs, count === 0 ? 0 : 1, "the job is recorded exactly when its numbers are");

    // The portal starts again on it and answers.
    ({ child, base } = await startPortal(file));
    session = await signIn(base);
    const health = await fetch(`${base}/healthz`);
    t.equal(health.status, 200);
    child.kill("SIGKILL");
  },
);
