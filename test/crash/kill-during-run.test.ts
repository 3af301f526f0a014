/**
 * hardening.md 17: kill -9 during a 100,000-number run, then restart: the run is all or
 * nothing and the database passes integrity_check.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import SqliteDatabase from "better-sqlite3";
import t from "tap";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "../helpers/app.js";

const CHILD = fileURLToPath(new URL("../helpers/server-child.ts", import.meta.url));

function start(databaseUrl: string): Promise<{ child: ChildProcess; base: string }> {
  const child = fork(CHILD, [databaseUrl], { execArgv: process.execArgv, stdio: "ignore" });
  return new Promise((resolve, reject) => {
    child.once("message", (message) => {
      const port = /listening (\d+)/.exec(String(message))?.[1];
      if (port) resolve({ child, base: `http://127.0.0.1:${port}` });
      else reject(new Error(`unexpected: ${String(message)}`));
    });
    child.once("exit", (code) => reject(new Error(`server exited early (${code})`)));
  });
}

/** Signs in like a browser; returns the Cookie header and a CSRF token for later posts. */
async function signIn(base: string): Promise<{ cookie: string; csrf: string }> {
  const login = await fetch(`${base}/login`);
  const jar = login.headers.getSetCookie().map((c) => c.split(";")[0]);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())?.[1] ?? "";
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD, _csrf: csrf }),
  });
  for (const c of res.headers.getSetCookie()) jar.push(c.split(";")[0]);
  const page = await fetch(`${base}/account`, { headers: { cookie: jar.join("; ") } });
  const token = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  return { cookie: jar.join("; "), csrf: token };
}

async function post(
  base: string,
  session: { cookie: string; csrf: string },
  path: string,
  body: Record<string, string>,
) {
  return fetch(`${base}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: session.cookie,
      "x-csrf-token": session.csrf,
    },
    body: new URLSearchParams(body),
  });
}

t.test(
  "kill -9 in the middle of a 100,000-number add: all or nothing",
  { timeout: 180_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "numberdesk-crash-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "crash.db");
    let { child, base } = await start(file);
    t.teardown(() => child.kill("SIGKILL"));
    let session = await signIn(base);
    t.equal((await post(base, session, "/businesses/new", { name: "ACME" })).status, 303);
    t.equal(
      (await post(base, session, "/businesses/1/units/new", { name: "Billing" })).status,
      303,
    );

    // Valid numbers: area codes and exchanges known to be in use, every line number.
    const numbers: string[] = [];
    for (const prefix of [
      "213373",
      "310728",
      "312427",
      "415575",
      "617242",
      "702971",
      "206746",
      "303621",
      "512842",
      "646425",
    ]) {
      for (let line = 0; line < 10_000; line++)
        numbers.push(`+1${prefix}${String(line).padStart(4, "0")}`);
    }
    const survey = String(
      (
        await (
          await fetch(`${base}/businesses/1/numbers/add`, { headers: { cookie: session.cookie } })
        ).text()
      ).match(/<option value="(\d+)">Survey</)?.[1] ?? "7",
    );

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
    ({ child, base } = await start(file));
    session = await signIn(base);
    const health = await fetch(`${base}/healthz`);
    t.equal(health.status, 200);
    child.kill("SIGKILL");
  },
);
