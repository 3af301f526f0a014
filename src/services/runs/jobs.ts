import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { EntryOutcome, Job, Outcome } from "../../db/tables/jobs.js";
import { csvLine } from "../../domain/csv.js";
import { NotFoundError } from "../../domain/errors.js";
import type { Level, LevelKind } from "../../domain/levels.js";
import {
  type CurrentUser,
  canEditNumbers,
  canSeeNumber,
  scopeWithin,
} from "../../domain/permissions.js";
import { formatNational } from "../../domain/phone-format.js";
import {
  ELSEWHERE_UNSEEN,
  NOT_FOUND_MESSAGE,
  REJECTION_LABELS,
  type RejectionCode,
  rejectionSentence,
} from "../../domain/rejections.js";
import { jobUndos } from "../../queries/audit-events.js";
import { eachOutcome, findJob, listOutcomes } from "../../queries/jobs.js";
import { findUser } from "../../queries/users.js";
import { resolveLevel } from "../hierarchy/levels.js";
import { toCurrentUser } from "../people/users.js";
import { elsewhereStates } from "./move-here.js";

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

/** A result shows this many numbers of each kind a page (paged inside the dialog too). */
export const RESULT_PAGE_SIZE = 200;

export interface JobResult {
  job: Job;
  /** Where the run was made, for the page's navigation; null if that place is gone. */
  level: Level | null;
  /** This page's added or removed numbers, in national format. */
  done: Array<OutcomeView & { national: string }>;
  /** `said`: the reason and its message, as one sentence (domain/rejections.ts). */
  rejected: Array<OutcomeView & { national: string; said: string }>;
  page: number;
  pageCount: number;
  /** Add runs: numbers found elsewhere (visible to the reader) still there, or moved here since. */
  movable: string[];
  movedHere: string[];
  undone: { occurred_at: string; actor_email: string } | null;
  canUndo: boolean;
  canMove: boolean;
}

/** A run's result as its reader may see it: one page of each list, and what may be done. */
export async function loadJobResult(
  db: Kysely<DB>,
  reader: CurrentUser,
  job: Job,
  rawPage: string | undefined,
): Promise<JobResult> {
  const pageCount = Math.max(
    1,
    Math.ceil(Math.max(job.succeeded, job.rejected) / RESULT_PAGE_SIZE),
  );
  const page = Math.min(Math.max(1, Number.parseInt(rawPage ?? "1", 10) || 1), pageCount);
  const offset = (page - 1) * RESULT_PAGE_SIZE;
  const done = job.kind === "add" ? "added" : "removed";
  const view = await outcomesFor(db, reader, job);
  const [succeeded, rejected] = await Promise.all([
    listOutcomes(db, job, done, RESULT_PAGE_SIZE, offset),
    listOutcomes(db, job, "rejected", RESULT_PAGE_SIZE, offset),
  ]);
  const { movable, movedHere } = await elsewhereStates(db, reader, job);
  const undone = (await jobUndos(db, [job.id])).get(job.id) ?? null;
  const editor = canEditNumbers(reader);
  return {
    job,
    level: await levelOfJob(db, reader, job),
    done: succeeded.map(view).map((o) => ({ ...o, national: formatNational(o.e164 ?? "") })),
    rejected: rejected.map(view).map((o) => ({
      ...o,
      national: o.e164 === null ? "" : formatNational(o.e164),
      said: rejectionSentence(o.reason, o.message),
    })),
    page,
    pageCount,
    movable: [...movable],
    movedHere: [...movedHere],
    undone,
    canUndo: editor && job.kind === "delete" && job.succeeded > 0 && undone === null,
    canMove: editor,
  };
}

async function levelOfJob(db: Kysely<DB>, reader: CurrentUser, job: Job): Promise<Level | null> {
  try {
    return await resolveLevel(db, reader, job.level_kind as LevelKind, job.level_id);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}
