/**
 * A job's outcomes as bulk runs store them: rejections as rows, successes packed 1,000 to a
 * row. Read back, they must page and list exactly as rows did: in line order, with the same
 * fields, whatever pack boundaries a page crosses.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t, { type Test } from "tap";
import { createSqliteDb } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import type { EntryOutcome, JobKind } from "../../src/db/tables/jobs.js";
import { csvLine } from "../../src/domain/csv.js";
import type { CurrentUser } from "../../src/domain/permissions.js";
import { eachOutcome, findJob, listOutcomes } from "../../src/queries/jobs.js";
import { prepareRunWrites, type RunWrites } from "../../src/queries/run-writes.js";
import { jobCsv } from "../../src/services/runs/jobs.js";

async function freshDb(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-outcomes-"));
  const database = createSqliteDb(join(dir, "outcomes.db"));
  await migrateToLatest(database);
  t.teardown(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return database;
}

const reader: CurrentUser = {
  id: 1,
  email: "r@example.test",
  role: "portal_admin",
  scope: { kind: "portal" },
};

type Handle = ReturnType<typeof createSqliteDb>["handle"];

/** A run's writes (queries/run-writes.ts), as run-engine.ts prepares them. */
const runWrites = (handle: Handle) => prepareRunWrites(handle, "business_id");

const startJob = (writes: RunWrites, kind: JobKind) =>
  writes.startJob({
    kind,
    source: "upload",
    user_id: null,
    user_email: "ed@example.test",
    level_kind: "business",
    level_id: 1,
    business_id: 1,
    business_unit_id: null,
    program_id: null,
    level_name: "ACME",
    total: 0,
    succeeded: 0,
    rejected: 0,
    created_at: "2026-11-27T00:00:00.000Z",
  });

/**
 * Writes a job as a run does: `lines` entries, every seventh rejected, the rest succeeding.
 * `flushAt` lines get a flush mid-run, which must not break the packing.
 */
function writeJob(
  handle: Handle,
  kind: JobKind,
  lines: number,
  flushAt: number[] = [],
): { jobId: number; expected: EntryOutcome[] } {
  const writes = runWrites(handle);
  const done = kind === "add" ? "added" : "removed";
  const expected: EntryOutcome[] = [];
  const jobId = handle.transaction(() => {
    const id = startJob(writes, kind);
    for (let line = 1; line <= lines; line++) {
      const e164 = `+1213${String(3_000_000 + line)}`;
      const input = `(213) ${line}, "as given"`;
      if (line % 7 === 0) {
        const outcome = {
          line,
          input,
          e164: null,
          outcome: "rejected" as const,
          code: "INVALID_FORMAT",
          message: `Entry ${line} is not a phone number.`,
        };
        writes.outcome({ job_id: id, ...outcome });
        expected.push(outcome);
      } else {
        writes.success(line, input, e164);
        expected.push({ line, input, e164, outcome: done, code: null, message: null });
      }
      if (flushAt.includes(line)) writes.flush();
    }
    const succeeded = expected.filter((o) => o.outcome !== "rejected").length;
    // As a run ends: flushed twice.
    writes.flush();
    writes.flush();
    writes.finishJob(id, { total: lines, succeeded, rejected: lines - succeeded });
    return id;
  })();
  return { jobId, expected };
}

t.test("2,500 successes among rejections page right across pack boundaries", async (t) => {
  const { db, handle } = await freshDb(t);
  // 2,916 lines, every seventh rejected: 2,500 successes, 416 rejections.
  const { jobId, expected } = writeJob(handle, "add", 2_916, [10, 1_500]);
  const job = await findJob(db, jobId);
  if (job === undefined) throw new Error("no job");
  const successes = expected.filter((o) => o.outcome === "added");
  const rejections = expected.filter((o) => o.outcome === "rejected");
  t.same([job.succeeded, job.rejected], [2_500, 416]);
  t.equal(successes.length, 2_500);

  const packs = handle
    .prepare(
      "select pack, json_array_length(entries) as size from job_successes where job_id = ? order by pack",
    )
    .all(jobId);
  t.same(
    packs,
    [
      { pack: 0, size: 1_000 },
      { pack: 1, size: 1_000 },
      { pack: 2, size: 500 },
    ],
    "1,000 to a pack, a flush mid-run notwithstanding",
  );
  t.equal(
    handle.prepare("select count(*) from job_outcomes where job_id = ?").pluck().get(jobId),
    416,
    "only rejections are rows",
  );

  const pages: Array<[limit: number, offset: number]> = [
    [10, 0],
    [500, 0],
    [10, 995],
    [1_000, 1_000],
    [1_002, 999],
    [2_000, 100],
    [20, 2_490],
    [10_000, 0],
    [5, 2_500],
    [1, 3_000],
    [0, 0],
  ];
  for (const [limit, offset] of pages) {
    t.same(
      await listOutcomes(db, job, "added", limit, offset),
      successes.slice(offset, offset + limit),
      `added, ${limit} from ${offset}`,
    );
    t.same(
      await listOutcomes(db, job, "rejected", limit, offset),
      rejections.slice(offset, offset + limit),
      `rejected, ${limit} from ${offset}`,
    );
  }
  t.same(await listOutcomes(db, job, "removed", 100, 0), [], "an add run removed nothing");

  const all: EntryOutcome[] = [];
  for await (const outcome of eachOutcome(db, job)) all.push(outcome);
  t.equal(all.length, 2_916);
  t.same(all, expected, "every outcome, in line order, with its fields");

  let csv = "";
  for await (const line of jobCsv(db, reader, job)) csv += line;
  const header = csvLine(["line", "input", "phone_number", "outcome", "code", "reason", "message"]);
  const reason = (o: EntryOutcome) => (o.code === null ? "" : "Invalid format");
  t.equal(
    csv,
    header +
      expected
        .map((o) => csvLine([o.line, o.input, o.e164, o.outcome, o.code, reason(o), o.message]))
        .join(""),
    "the CSV: every line in order",
  );
});

t.test("a delete run's successes read as removed; runs in one database stay apart", async (t) => {
  const { db, handle } = await freshDb(t);
  const first = writeJob(handle, "delete", 20);
  const second = writeJob(handle, "add", 1_200);
  const job = await findJob(db, first.jobId);
  if (job === undefined) throw new Error("no job");
  t.same(
    await listOutcomes(db, job, "removed", 100, 0),
    first.expected.filter((o) => o.outcome === "removed"),
  );
  t.same(await listOutcomes(db, job, "added", 100, 0), []);
  const other = await findJob(db, second.jobId);
  if (other === undefined) throw new Error("no job");
  const all: EntryOutcome[] = [];
  for await (const outcome of eachOutcome(db, other)) all.push(outcome);
  t.same(all, second.expected);
  t.same(
    await listOutcomes(db, other, "added", 10, 995),
    second.expected.filter((o) => o.outcome === "added").slice(995, 1_005),
    "1,029 successes: a page across both packs",
  );
});

t.test("a job without rejections, or without anything, lists what it has", async (t) => {
  const { db, handle } = await freshDb(t);
  const listAll = async (jobId: number) => {
    const job = await findJob(db, jobId);
    if (job === undefined) throw new Error("no job");
    const all: EntryOutcome[] = [];
    for await (const outcome of eachOutcome(db, job)) all.push(outcome);
    return { job, all };
  };
  const six = writeJob(handle, "add", 6);
  const { job, all } = await listAll(six.jobId);
  t.same(all, six.expected, "six successes, no rejection");
  t.same(await listOutcomes(db, job, "rejected", 10, 0), []);
  const none = await listAll(writeJob(handle, "delete", 0).jobId);
  t.same(none.all, [], "an empty run");
  t.same(await listOutcomes(db, none.job, "removed", 10, 0), []);
  t.equal(
    handle.prepare("select count(*) from job_successes where job_id = ?").pluck().get(none.job.id),
    0,
    "and no empty pack",
  );
});

t.test("an entry cut inside a surrogate pair reads back as a rejection's would", async (t) => {
  const { db, handle } = await freshDb(t);
  // What run-record.ts's 300-character cut can leave: half of an emoji.
  const cut = "213 373 4253 😀".slice(0, 14);
  const writes = runWrites(handle);
  const jobId = handle.transaction(() => {
    const id = startJob(writes, "add");
    writes.outcome({
      job_id: id,
      line: 1,
      input: cut,
      e164: null,
      outcome: "rejected",
      code: "INVALID_FORMAT",
      message: null,
    });
    writes.success(2, cut, "+12133734253");
    writes.success(3, "\\ud83d as typed", "+12133734254");
    writes.flush();
    return id;
  })();
  const job = await findJob(db, jobId);
  if (job === undefined) throw new Error("no job");
  const [rejected] = await listOutcomes(db, job, "rejected", 1, 0);
  t.equal(
    rejected?.input,
    "213 373 4253 \ufffd",
    "a row: one replacement character, on every Node.js",
  );
  const added = await listOutcomes(db, job, "added", 10, 0);
  t.same(
    added.map((o) => o.input),
    [rejected?.input, "\\ud83d as typed"],
    "a pack: the same, and text that only looks like an escape is kept",
  );
});
