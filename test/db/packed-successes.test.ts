/**
 * The migration that packs successes (migrations/2026-11-27-05-packed-successes.ts): jobs
 * written before it, one row per outcome, must read exactly as they did, and going back down
 * must give the rows again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Migrator } from "kysely";
import t from "tap";
import { migrations } from "../../migrations/index.js";
import { createSqliteDb } from "../../src/db/database.js";
import type { JobKind, Outcome } from "../../src/db/tables/jobs.js";
import { eachOutcome, findJob, listOutcomes } from "../../src/queries/jobs.js";

const BEFORE = "2026-11-27-04-api-tokens";
const PACKING = "2026-11-27-05-packed-successes";

const COLUMNS = "line, input, e164, outcome, code, message";

t.test(
  "old jobs' success rows move into packs and read back the same; down undoes it",
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "numberdesk-packing-"));
    const database = createSqliteDb(join(dir, "packing.db"));
    t.teardown(async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const { db, handle } = database;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const to = async (step: Promise<{ error?: unknown }>) => {
      const { error } = await step;
      if (error) throw error;
    };
    await to(migrator.migrateTo(BEFORE));

    const insertJob = handle.prepare(
      `insert into jobs (kind, source, user_id, user_email, level_kind, level_id, business_id,
       business_unit_id, program_id, level_name, total, succeeded, rejected, created_at)
     values (?, 'upload', null, 'ed@example.test', 'business', 1, 1, null, null, 'ACME', 0, 0, 0,
       '2026-11-27T00:00:00.000Z')`,
    );
    const job = (kind: JobKind) => Number(insertJob.run(kind).lastInsertRowid);
    const insertOutcome = handle.prepare(
      `insert into job_outcomes (job_id, line, input, e164, outcome, code, message)
     values (?, ?, ?, ?, ?, ?, ?)`,
    );
    const add = job("add");
    const remove = job("delete");
    const rejectedOnly = job("add");
    // Outcomes as runs wrote them, in line order; two runs' rows interleaved, to be strict.
    for (let line = 1; line <= 2_345; line++) {
      // Text as given, odd bits included: a comma, quotes, a line break, accents, half an emoji.
      const input =
        line === 77
          ? 'a, "quoted"\nline é 😀'
          : line === 78
            ? "213 373 4253 \ud83d"
            : `(213) ${String(line).padStart(7, "0")}`;
      if (line % 5 === 0) {
        insertOutcome.run(add, line, input, null, "rejected", "INVALID_FORMAT", `Entry ${line}.`);
      } else {
        insertOutcome.run(add, line, input, `+1213${3_000_000 + line}`, "added", null, null);
      }
      if (line <= 3)
        insertOutcome.run(remove, line, input, `+1310${line}000000`, "removed", null, null);
    }
    insertOutcome.run(rejectedOnly, 1, "x", null, "rejected", "INVALID_FORMAT", "No.");
    insertOutcome.run(
      rejectedOnly,
      2,
      "+12133734253",
      "+12133734253",
      "rejected",
      "EXISTS_ELSEWHERE",
      "At Globex.",
    );

    /** The reads of old: a kind by id, or everything by id, as queries/jobs.ts used to. */
    const oldReads = () =>
      [add, remove, rejectedOnly].map((jobId) => ({
        added: handle
          .prepare(
            `select ${COLUMNS} from job_outcomes where job_id = ? and outcome = 'added' order by id`,
          )
          .all(jobId),
        removed: handle
          .prepare(
            `select ${COLUMNS} from job_outcomes where job_id = ? and outcome = 'removed' order by id`,
          )
          .all(jobId),
        rejected: handle
          .prepare(
            `select ${COLUMNS} from job_outcomes where job_id = ? and outcome = 'rejected' order by id`,
          )
          .all(jobId),
        all: handle
          .prepare(`select ${COLUMNS} from job_outcomes where job_id = ? order by id`)
          .all(jobId),
      }));
    const before = oldReads();
    t.equal(before[0]?.added.length, 1_876);
    t.equal(before[0]?.rejected.length, 469);
    t.match(
      (before[0]?.added as Array<{ line: number }> | undefined)?.find((o) => o.line === 78),
      // Node 20 reads the three bytes as three U+FFFD, Node 24 as one (WHATWG's maximal
      // subpart); what matters is that the packs read back what the rows read.
      { input: /^213 373 4253 \ufffd+$/ },
      "half an emoji reads as replacement characters",
    );

    await to(migrator.migrateTo(PACKING));
    t.same(
      handle
        .prepare("select job_id, pack, json_array_length(entries) as size from job_successes")
        .all(),
      [
        { job_id: add, pack: 0, size: 1_000 },
        { job_id: add, pack: 1, size: 876 },
        { job_id: remove, pack: 0, size: 3 },
      ],
      "1,000 successes to a pack",
    );
    t.same(
      handle.prepare("select distinct outcome from job_outcomes").pluck().all(),
      ["rejected"],
      "only rejections are left as rows",
    );
    for (const [i, jobId] of [add, remove, rejectedOnly].entries()) {
      const job = await findJob(db, jobId);
      if (job === undefined) throw new Error("no job");
      const old = before[i];
      if (old === undefined) throw new Error("no reads");
      const pages: Array<[number, number]> = [
        [100_000, 0],
        [10, 995],
        [500, 1_500],
        [1, 1_875],
      ];
      for (const outcome of ["added", "removed", "rejected"] as Outcome[]) {
        for (const [limit, offset] of pages) {
          t.same(
            await listOutcomes(db, job, outcome, limit, offset),
            old[outcome].slice(offset, offset + limit),
            `job ${jobId}: ${outcome}, ${limit} from ${offset}`,
          );
        }
      }
      const all = [];
      for await (const outcome of eachOutcome(db, job)) all.push(outcome);
      t.same(all, old.all, `job ${jobId}: every outcome in line order`);
    }

    await to(migrator.migrateDown());
    t.same(oldReads(), before, "down: the rows again, read as before");
    t.equal(
      handle
        .prepare("select count(*) from sqlite_schema where name = 'job_successes'")
        .pluck()
        .get(),
      0,
    );
    t.same(
      handle
        .prepare(
          "select count(*) from job_outcomes a join job_outcomes b on a.job_id = b.job_id and a.id < b.id and a.line > b.line",
        )
        .pluck()
        .get(),
      0,
      "ids in line order within each job",
    );
    await to(migrator.migrateToLatest());
    t.equal(handle.prepare("select count(*) from job_successes").pluck().get(), 3, "and up again");
  },
);
