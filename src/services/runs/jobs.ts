import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { EntryOutcome, Job, Outcome } from "../../db/tables/jobs.js";
import { csvLine } from "../../domain/csv.js";
import { NotFoundError } from "../../domain/errors.js";
import { type CurrentUser, canSeeNumber, scopeWithin } from "../../domain/permissions.js";
import {
  NOT_FOUND_MESSAGE,
  REJECTION_LABELS,
  type RejectionCode,
} from "../../domain/rejections.js";
import { eachOutcome, findJob, listOutcomes } from "../../queries/jobs.js";
import { findUser } from "../../queries/users.js";
import { toCurrentUser } from "../people/users.js";

/** A job is visible to whoever may see the place it ran at; others get "no such job". */
export async function findVisibleJob(db: Kysely<DB>, user: CurrentUser, id: number): Promise<Job> {
  const job = await findJob(db, id);
  if (!job || !canSeeNumber(user, job)) throw new NotFoundError("No such job.");
  return job;
}

export interface OutcomeView extends EntryOutcome {
  reason: string;
}

const toView = (o: EntryOutcome): OutcomeView => ({
  ...o,
  reason: o.code ? (REJECTION_LABELS[o.code as RejectionCode] ?? o.code) : "",
});

/**
 * A run's messages say where a number is when its author may see that place (OUTSIDE_LEVEL,
 * EXISTS_ELSEWHERE). Anyone who sees the run's level sees the run, so a reader whose scope is
 * narrower than the author's (a unit admin reading a business admin's run at their unit) is
 * told what the run would have told them: no place, and OUTSIDE_LEVEL becomes NOT_FOUND.
 */
async function outcomesFor(
  db: Kysely<DB>,
  reader: CurrentUser,
  job: Job,
): Promise<(o: EntryOutcome) => OutcomeView> {
  const author = job.user_id === null ? undefined : await findUser(db, job.user_id);
  const sameSight =
    job.user_id === reader.id ||
    (author !== undefined && scopeWithin(reader.scope, toCurrentUser(author).scope));
  if (sameSight) return toView;
  return (o) => {
    if (o.code === "OUTSIDE_LEVEL")
      return toView({ ...o, code: "NOT_FOUND", message: NOT_FOUND_MESSAGE });
    if (o.code === "EXISTS_ELSEWHERE") return toView({ ...o, message: ELSEWHERE_UNSEEN });
    return toView(o);
  };
}

const ELSEWHERE_UNSEEN = "Already in the portal, in a place you cannot see.";

/** One page of a job's outcomes of one kind, for the result page (long lists are paged). */
export async function jobOutcomePage(
  db: Kysely<DB>,
  reader: CurrentUser,
  job: Job,
  outcome: Outcome,
  limit: number,
  offset: number,
): Promise<OutcomeView[]> {
  const view = await outcomesFor(db, reader, job);
  return (await listOutcomes(db, job, outcome, limit, offset)).map(view);
}

/** The whole result as CSV lines, in line order, read a part at a time (queries/jobs.ts). */
export async function* jobCsv(
  db: Kysely<DB>,
  reader: CurrentUser,
  job: Job,
): AsyncGenerator<string> {
  const view = await outcomesFor(db, reader, job);
  yield csvLine(["line", "input", "phone_number", "outcome", "code", "reason", "message"]);
  for await (const outcome of eachOutcome(db, job)) {
    const o = view(outcome);
    yield csvLine([o.line, o.input, o.e164, o.outcome, o.code, o.reason, o.message]);
  }
}
