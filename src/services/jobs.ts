import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { Job, JobOutcome, Outcome } from "../db/tables/jobs.js";
import { csvLine } from "../domain/csv.js";
import { NotFoundError } from "../domain/errors.js";
import { type CurrentUser, canSeeNumber } from "../domain/permissions.js";
import { REJECTION_LABELS, type RejectionCode } from "../domain/rejections.js";
import { findJob, listOutcomes } from "../queries/jobs.js";

/** A job is visible to whoever may see the place it ran at; others get "no such job". */
export async function findVisibleJob(db: Kysely<DB>, user: CurrentUser, id: number): Promise<Job> {
  const job = await findJob(db, id);
  if (!job || !canSeeNumber(user, job)) throw new NotFoundError("No such job.");
  return job;
}

export interface OutcomeView extends JobOutcome {
  reason: string;
}

const toView = (o: JobOutcome): OutcomeView => ({
  ...o,
  reason: o.code ? (REJECTION_LABELS[o.code as RejectionCode] ?? o.code) : "",
});

/** One page of a job's outcomes of one kind, for the result page (long lists are paged). */
export async function jobOutcomePage(
  db: Kysely<DB>,
  job: Job,
  outcome: Outcome,
  limit: number,
  offset: number,
): Promise<OutcomeView[]> {
  return (await listOutcomes(db, job.id, outcome, limit, offset)).map(toView);
}

/** The whole result as CSV lines, 2,000 outcomes at a time. */
export async function* jobCsv(db: Kysely<DB>, job: Job): AsyncGenerator<string> {
  yield csvLine(["line", "input", "phone_number", "outcome", "code", "reason", "message"]);
  for (let offset = 0; ; offset += 2_000) {
    const rows = await listOutcomes(db, job.id, null, 2_000, offset);
    for (const o of rows.map(toView)) {
      yield csvLine([o.line, o.input, o.e164, o.outcome, o.code, o.reason, o.message]);
    }
    if (rows.length < 2_000) return;
  }
}
