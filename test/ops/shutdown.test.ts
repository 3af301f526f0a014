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
import t, { type Test } from "tap";
import { SqliteDatabase } from "../../src/db/sqlite/native.js";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "../helpers/app.js";
import {
  callPurposeId,
  exitOf,
  hundredThousandNumbers,
  makeAcmeBilling,
  type Session,
  signIn,
} from "../helpers/portal-process.js";

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

/** A run's request body as a browser would send it: a form, or a multipart upload. */
type RunBody = (numbers: string[], purpose: string) => URLSearchParams | FormData;

const typed: RunBody = (numbers, purpose) =>
  new URLSearchParams({ numbers: numbers.join("\n"), call_purpose: purpose });

const uploaded: RunBody = (numbers, purpose) => {
  const form = new FormData();
  form.append("call_purpose", purpose);
  form.append("file", new Blob([`phone_number\n${numbers.join("\n")}\n`]), "numbers.csv");
  return form;
};

/**
 * Posts `body` in two halves, the second once `release` resolves: until then the request is
 * certainly in flight (a run itself may be too quick, or too synchronous, to be caught).
 */
async function postInTwoHalves(
  url: string,
  session: Session,
  body: URLSearchParams | FormData,
  release: Promise<void>,
): Promise<Response> {
  const encoded = new Response(body);
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  const half = Math.floor(bytes.length / 2);
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(bytes.subarray(0, half));
      await release;
      controller.enqueue(bytes.subarray(half));
      controller.close();
    },
  });
  return fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": encoded.headers.get("content-type") ?? "",
      cookie: session.cookie,
      "x-csrf-token": session.csrf,
    },
    body: stream,
    duplex: "half",
  } as RequestInit);
}

async function sigtermDuringRun(t: Test, runBody: RunBody) {
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
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const body = runBody(numbers, await callPurposeId(base, session, "Survey"));
  const running = postInTwoHalves(`${base}/units/1/numbers/add`, session, body, released);

  // SIGTERM while the server is still receiving the run's body.
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
  release();
  const res = await running;
  t.equal(res.status, 303, "the run in flight finished and answered");
  t.match(res.headers.get("location"), /^\/jobs\/\d+$/);
  t.equal(res.headers.get("connection"), "close", "and closed its connection");
  t.equal(await exited, 0, "the process exits 0");
  // The premise: the run was answered after the server began shutting down.
  const runId = server.lines.find(
    (l) =>
      l.msg === "incoming request" &&
      l.req?.url === "/units/1/numbers/add" &&
      l.req.method === "POST",
  )?.reqId;
  const answeredAt = server.lines.findIndex(
    (l) => l.reqId === runId && l.msg === "request completed",
  );
  const shutdownAt = server.lines.findIndex((l) => l.msg.startsWith("shutting down"));
  t.ok(shutdownAt >= 0 && shutdownAt < answeredAt, "the run was still in flight at SIGTERM");
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
}

t.test("SIGTERM during a typed run: it finishes, then the server closes cleanly", (t) =>
  sigtermDuringRun(t, typed),
);

t.test("SIGTERM during an upload: it finishes, then the server closes cleanly", (t) =>
  sigtermDuringRun(t, uploaded),
);
