/**
 * SIGTERM to the real server (src/server.ts, as systemd or `npm start` runs it): a bulk run
 * already in flight finishes and answers, new connections are refused, the process exits 0,
 * and the database file it leaves holds the run with nothing waiting in a -wal.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import SqliteDatabase from "better-sqlite3";
import t from "tap";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "../helpers/app.js";
import {
  callPurposeId,
  exitOf,
  hundredThousandNumbers,
  makeAcmeBilling,
  post,
  signIn,
} from "./portal-process.js";

const SERVER = fileURLToPath(new URL("../../src/server.ts", import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: a parsed log line
type LogLine = Record<string, any>;

/** The server as production starts it, configured by the environment, logging JSON to stdout. */
function startServer(databaseUrl: string) {
  const child = fork(SERVER, [], {
    execArgv: process.execArgv,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const lines: LogLine[] = [];
  const waiters: Array<{ test: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let rest = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const complete = text.split("\n");
    rest = complete.pop() ?? "";
    for (const raw of complete) {
      if (!raw.startsWith("{")) continue;
      const line = JSON.parse(raw) as LogLine;
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  /** The first log line (already written or to come) that passes `test`. */
  const logged = (test: (line: LogLine) => boolean) => {
    const seen = lines.find(test);
    return seen
      ? Promise.resolve(seen)
      : new Promise<LogLine>((resolve) => waiters.push({ test, resolve }));
  };
  return { child, lines, logged };
}

/** Resolves true once a new TCP connection to `port` is refused (tries for up to 10 s). */
async function refusesConnections(port: number): Promise<boolean> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", (error: NodeJS.ErrnoException) =>
        resolve(error.code === "ECONNREFUSED"),
      );
    });
    if (refused) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

t.test("SIGTERM: the run in flight finishes, then the server closes cleanly", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-shutdown-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "live.db");
  const server = startServer(file);
  const child: ChildProcess = server.child;
  t.teardown(() => child.kill("SIGKILL"));
  const listening = await server.logged((l) => /^Server listening at /.test(l.msg));
  const port = Number(/:(\d+)$/.exec(listening.msg)?.[1]);
  const base = `http://127.0.0.1:${port}`;

  const session = await signIn(base);
  await makeAcmeBilling(base, session);
  const numbers = hundredThousandNumbers().slice(0, 20_000);
  const running = post(base, session, "/units/1/numbers/add", {
    numbers: numbers.join("\n"),
    call_purpose: await callPurposeId(base, session, "Survey"),
  });

  // SIGTERM once the server has the run in hand (its body may still be arriving).
  await server.logged(
    (l) =>
      l.msg === "incoming request" &&
      l.req?.method === "POST" &&
      l.req.url === "/units/1/numbers/add",
  );
  const exited = exitOf(child);
  child.kill("SIGTERM");
  await server.logged((l) => l.msg.startsWith("shutting down"));

  t.ok(await refusesConnections(port), "new connections are refused");
  const res = await running;
  t.equal(res.status, 303, "the run in flight finished and answered");
  t.match(res.headers.get("location"), /^\/jobs\/\d+$/);
  t.equal(await exited, 0, "the process exits 0");
  t.ok(
    server.lines.some((l) => l.msg === "stopped"),
    "it says it stopped",
  );
  t.notOk(
    server.lines.some((l) => l.level >= 50),
    "nothing was logged as an error",
  );

  // Closed cleanly: the WAL was checkpointed into the file and removed.
  const wal = `${file}-wal`;
  t.ok(!existsSync(wal) || statSync(wal).size === 0, "no -wal content left behind");
  const db = new SqliteDatabase(file, { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.pragma("integrity_check", { simple: true }), "ok");
  t.equal(db.prepare("select count(*) from phone_numbers").pluck().get(), numbers.length);
  t.equal(db.prepare("select sum(succeeded) from jobs").pluck().get(), numbers.length);
});
