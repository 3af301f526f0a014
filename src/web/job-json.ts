/**
 * A bulk run's result as JSON (GET /jobs/:id, and the answer to an Add or Delete post): its
 * counts and every number's outcome with the same stable codes as the page and the CSV.
 * Outcomes come in pages (`?page=`), so a 100,000-number run is not one 10 MB answer.
 * Messages are the reader's, as on the page: no place they may not see is named.
 */
import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { Job } from "../db/tables/jobs.js";
import { LEVEL_SEGMENTS, type LevelKind } from "../domain/levels.js";
import type { CurrentUser } from "../domain/permissions.js";
import { jobOutcomePage, type OutcomeView } from "../services/runs/jobs.js";

const JOB_OUTCOMES_PER_PAGE = 10_000;

/** What a script asking for JSON must send to run a deletion (the page asks a person first). */
export const CONFIRM_BY_JSON =
  "Deleting needs confirm=yes: send it with the numbers (or the file) to run the deletion.";

function outcomeJson(o: OutcomeView) {
  return {
    line: o.line,
    input: o.input,
    phone_number: o.e164,
    outcome: o.outcome,
    code: o.code,
    reason: o.reason === "" ? null : o.reason,
    message: o.message,
  };
}

/**
 * One page of the result: up to 10,000 of the numbers that went through and 10,000 of the
 * rejected ones, ordered by line, read as the reader may see them (services/jobs.ts).
 */
export async function jobJson(db: Kysely<DB>, reader: CurrentUser, job: Job, rawPage?: string) {
  const largest = Math.max(job.succeeded, job.rejected);
  const pageCount = Math.max(1, Math.ceil(largest / JOB_OUTCOMES_PER_PAGE));
  const page = Math.min(Math.max(1, Number.parseInt(rawPage ?? "1", 10) || 1), pageCount);
  const offset = (page - 1) * JOB_OUTCOMES_PER_PAGE;
  const done = job.kind === "add" ? "added" : "removed";
  const outcomes = [
    ...(await jobOutcomePage(db, reader, job, done, JOB_OUTCOMES_PER_PAGE, offset)),
    ...(await jobOutcomePage(db, reader, job, "rejected", JOB_OUTCOMES_PER_PAGE, offset)),
  ].sort((a, b) => a.line - b.line);
  return {
    job: {
      id: job.id,
      kind: job.kind,
      // A job row is written in the same transaction as its run, so a job that exists is done.
      status: "done",
      source: job.source,
      level: {
        kind: job.level_kind,
        id: job.level_id,
        name: job.level_name,
        path: `/${LEVEL_SEGMENTS[job.level_kind as LevelKind]}/${job.level_id}`,
      },
      user: job.user_email,
      created_at: job.created_at,
      total: job.total,
      succeeded: job.succeeded,
      rejected: job.rejected,
      csv: `/jobs/${job.id}.csv`,
    },
    page,
    page_count: pageCount,
    next: page < pageCount ? `/jobs/${job.id}?page=${page + 1}` : null,
    outcomes: outcomes.map(outcomeJson),
  };
}
