/**
 * Upload runs in worker threads (src/services/runs/threads/run-workers.ts): the worker reads the file, waits
 * for the portal's writer lock, then runs it on its own connection, off the event loop.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import t, { type Test } from "tap";
import { resolveLevel } from "../../src/services/hierarchy/levels.js";
import {
  entriesFromText,
  INLINE_RUN_MAX,
  planRun,
  type RunContext,
  runAddition,
} from "../../src/services/runs/bulk-runs.js";
import type { RunPhase } from "../../src/services/runs/threads/run-messages.js";
import { RunWorkers, WORKER_HEAP } from "../../src/services/runs/threads/run-workers.js";
import {
  type ReadOptions,
  UPLOAD_MAX_BYTES,
  UPLOAD_MESSAGES,
  UploadError,
} from "../../src/services/runs/upload-file.js";
import { buildTestApp } from "../helpers/app.js";
import { compiledPortal } from "../helpers/compiled-sources.js";
import { callPurposeId, countRows, makeTree, portalAdmin } from "../helpers/fixtures.js";

const READ: ReadOptions = { maxEntries: 100_000 };
const bytesOf = (text: string) => new TextEncoder().encode(text);

/** `count` distinct valid numbers (Los Angeles 213 numbers). */
const manyNumbers = (count: number) =>
  Array.from({ length: count }, (_, i) => `+1213${String(3_000_000 + i)}`);

async function ground(t: Test) {
  const built = await buildTestApp();
  t.teardown(built.close);
  const { db } = built.database;
  const tree = await makeTree(db, "ACME");
  const user = await portalAdmin(db);
  const ctx: RunContext = {
    db,
    database: built.database,
    cache: built.app.readCache,
    user,
    level: await resolveLevel(db, user, "unit", tree.unitId),
    defaultRegion: "US",
    source: "upload",
  };
  const count = () => countRows(db, "phone_numbers");
  const purpose = String(await callPurposeId(db, "customer_service"));
  return { ...built, tree, ctx, count, purpose };
}

t.test("a file is read, waits for the writer lock, then is run in one go", async (t) => {
  const { ctx, database, count, purpose } = await ground(t);
  const workers = new RunWorkers({ workers: 1 });
  t.teardown(() => workers.close());
  const plan = await planRun(ctx, "add", purpose);
  const seen: RunPhase[] = [];
  const file = bytesOf(["phone_number", ...manyNumbers(5_000), "not a number"].join("\r\n"));

  // The portal's writer is busy: the worker reads the file, then waits its turn. On
  // PostgreSQL there is no writer lock (rows are locked as a run takes them): it goes on.
  const sqlite = database.kind === "sqlite" ? database : null;
  await sqlite?.writerLock.acquire();
  let waiting!: () => void;
  const waited = new Promise<void>((resolve) => {
    waiting = resolve;
  });
  const run = workers.run(database, { bytes: file, read: READ }, plan, (phase) => {
    seen.push(phase);
    if (phase === "waiting") waiting();
  });
  await waited;
  if (sqlite) {
    t.equal(await count(), 0, "nothing is written while another writer holds the lock");
    sqlite.writerLock.release();
  }

  const summary = await run;
  t.same(
    { total: summary.total, succeeded: summary.succeeded, rejected: summary.rejected },
    { total: 5_001, succeeded: 5_000, rejected: 1 },
  );
  t.equal(await count(), 5_000);
  t.ok(seen.includes("reading") && seen.includes("running"), `phases: ${[...new Set(seen)]}`);
  t.equal(seen.at(-1), "done");
  // The lock is free again: a write goes through at once.
  await sqlite?.writerLock.acquire();
  sqlite?.writerLock.release();
  t.pass("the writer lock was handed back");
});

t.test("files that cannot be taken are refused, and nothing is written", async (t) => {
  const { ctx, database, count, purpose } = await ground(t);
  const workers = new RunWorkers({ workers: 1 });
  t.teardown(() => workers.close());
  const plan = await planRun(ctx, "add", purpose);
  // Warmed as the Upload tab opens: once is enough, a second call starts nothing more.
  workers.warm();
  workers.warm();
  const zip = workers.run(database, { bytes: Buffer.from("PK\x03\x04zip"), read: READ }, plan);
  await t.rejects(zip, { statusCode: 400, message: UPLOAD_MESSAGES.zip });
  await zip.catch((error) => t.ok(error instanceof UploadError));
  const empty = await workers
    .run(database, { bytes: bytesOf(""), read: READ }, plan)
    .catch((error) => error);
  t.equal((empty as UploadError).statusCode, 422, "no numbers: refused");
  t.equal(await count(), 0);

  // More uploads than workers wait their turn; each gets its own answer.
  const answers = await Promise.all(
    manyNumbers(3).map((n) => workers.run(database, { bytes: bytesOf(n), read: READ }, plan)),
  );
  t.same(
    answers.map((a) => a.succeeded),
    [1, 1, 1],
  );
  t.equal(new Set(answers.map((a) => a.jobId)).size, 3, "three jobs");
});

t.test("100,000 lines are read and run off the event loop", async (t) => {
  const { ctx, database, count, purpose } = await ground(t);
  const workers = new RunWorkers({ workers: 1 });
  t.teardown(() => workers.close());
  const plan = await planRun(ctx, "add", purpose);
  // The worker is up (and its connection open) before timing.
  await workers.run(database, { bytes: bytesOf("+12133000000"), read: READ }, plan);
  const file = bytesOf(
    ["phone_number,call_purpose", ...manyNumbers(100_000).map((n) => `${n},Survey`)].join("\r\n"),
  );

  let worst = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  const summary = await workers.run(database, { bytes: file, read: READ }, plan);
  const took = performance.now() - started;
  clearInterval(ticker);

  t.equal(summary.succeeded, 99_999, "all but the warm-up's number, already there");
  t.equal(await count(), 100_000);
  t.comment(
    `a worker read and ran 100,000 lines in ${Math.round(took)} ms; longest event-loop gap ${Math.round(worst)} ms`,
  );
  // Running inline would hold the loop for the whole run (seconds).
  t.ok(
    worst < Math.max(500, took / 3),
    `the event loop kept turning (longest gap ${Math.round(worst)} ms)`,
  );
});

t.test("the worker pool, from compiled JavaScript (as in dist)", async (t) => {
  const { ctx, database, count, purpose } = await ground(t);
  // The worker must load run-workers.js itself, as its own module, in dist.
  const { dir, remove } = compiledPortal();
  t.teardown(remove);
  const compiled = (await import(
    pathToFileURL(join(dir, "src/services/runs/threads/run-workers.js")).href
  )) as {
    RunWorkers: typeof RunWorkers;
  };
  const workers = new compiled.RunWorkers({ workers: 1 });
  t.teardown(() => workers.close());
  const plan = await planRun(ctx, "add", purpose);
  const summary = await workers.run(
    database,
    { bytes: bytesOf("+1 213 373 4253,Survey\n"), read: READ },
    plan,
  );
  t.equal(summary.succeeded, 1);
  t.equal(await count(), 1);

  // The largest file there is, within the compiled threads' heap caps (thread-heap.ts):
  // 100,000 lines filling the 8 MiB limit, long formatted numbers with call purposes named at
  // length that do not exist, so every entry is kept with its input and a message.
  const lines = manyNumbers(100_000).map(
    (n, i) =>
      `+1 (${n.slice(2, 5)}) ${n.slice(5, 8)}-${n.slice(8)},` +
      `A call purpose named at length to fill the line, number ${String(i).padStart(6, "0")}`,
  );
  const file = bytesOf(["phone_number,call_purpose", ...lines].join("\r\n"));
  t.ok(
    file.length > UPLOAD_MAX_BYTES - 512 * 1024 && file.length <= UPLOAD_MAX_BYTES,
    `the file fills the limit (${file.length} bytes)`,
  );
  const largest = await workers.run(database, { bytes: file, read: READ }, plan);
  t.same(
    { total: largest.total, rejected: largest.rejected },
    { total: 100_000, rejected: 100_000 },
    `ran with the old generation capped at ${WORKER_HEAP.oldMb} MiB`,
  );
  t.equal(await count(), 1);
});

t.test("a long typed list runs in a worker too; a short one on the writer", async (t) => {
  const { ctx, count, purpose } = await ground(t);
  const real = new RunWorkers({ workers: 1 });
  t.teardown(() => real.close());
  const sent: number[] = [];
  const workers = {
    run: (...args: Parameters<RunWorkers["run"]>) => {
      const [, input] = args;
      sent.push("entries" in input ? input.entries.length : -1);
      return real.run(...args);
    },
  } as RunWorkers;
  const typed = { ...ctx, source: "manual" as const, workers };

  const long = manyNumbers(INLINE_RUN_MAX + 1);
  const job = await runAddition(typed, entriesFromText(long.join("\n")), purpose);
  t.same(sent, [INLINE_RUN_MAX + 1], "handed to the worker as entries");
  t.equal(job.succeeded, INLINE_RUN_MAX + 1);
  t.equal(job.source, "manual");

  const short = await runAddition(typed, entriesFromText("+12139000000\n+12139000001"), purpose);
  t.equal(short.succeeded, 2);
  t.same(sent, [INLINE_RUN_MAX + 1], "two numbers ran on the writer");
  t.equal(await count(), INLINE_RUN_MAX + 3);
});
