/**
 * A job and its outcomes. Rejections are rows of job_outcomes; successes are packed, 1,000 to
 * a job_successes row in line order (db/tables/jobs.ts), and are unpacked here, so callers see
 * one kind of outcome whichever way it is stored. Bulk runs write both (queries/run-writes.ts).
 */
import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import {
  type EntryOutcome,
  type Job,
  type Outcome,
  SUCCESSES_PER_PACK,
  type SuccessEntry,
} from "../db/tables/jobs.js";

/** What reading a job's outcomes needs of it: packed successes do not say their outcome. */
export type JobRef = Pick<Job, "id" | "kind">;

export function findJob(db: Kysely<DB>, id: number): Promise<Job | undefined> {
  return db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Runs at and below a place: its business, and its unit and program when set. */
export interface JobFilter {
  businessId: number;
  unitId: number | null;
  programId: number | null;
  kind: "add" | "delete" | null;
}

function jobsAt(db: Kysely<DB>, f: JobFilter) {
  let query = db.selectFrom("jobs").where("business_id", "=", f.businessId);
  if (f.unitId !== null) query = query.where("business_unit_id", "=", f.unitId);
  if (f.programId !== null) query = query.where("program_id", "=", f.programId);
  if (f.kind !== null) query = query.where("kind", "=", f.kind);
  return query;
}

/** One page of the runs at and below a place, newest first. */
export function listJobsAt(
  db: Kysely<DB>,
  f: JobFilter,
  limit: number,
  offset: number,
): Promise<Job[]> {
  return jobsAt(db, f).selectAll().orderBy("id", "desc").limit(limit).offset(offset).execute();
}

export async function countJobsAt(db: Kysely<DB>, f: JobFilter): Promise<number> {
  const row = await jobsAt(db, f)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What a success of the job is called: added in an add run, removed in a delete run. */
const doneOutcome = (job: JobRef): Outcome => (job.kind === "add" ? "added" : "removed");

const REJECTION_COLUMNS = ["line", "input", "e164", "outcome", "code", "message"] as const;

/** One page of a job's outcomes of one kind, in line order. */
export async function listOutcomes(
  db: Kysely<DB>,
  job: JobRef,
  outcome: Outcome,
  limit: number,
  offset: number,
): Promise<EntryOutcome[]> {
  if (outcome === "rejected") {
    return db
      .selectFrom("job_outcomes")
      .select(REJECTION_COLUMNS)
      .where("job_id", "=", job.id)
      .where("outcome", "=", "rejected")
      .orderBy("id")
      .limit(limit)
      .offset(offset)
      .execute();
  }
  if (outcome !== doneOutcome(job) || limit <= 0) return [];
  // Every pack but the last holds SUCCESSES_PER_PACK: read only the packs the page falls in.
  const first = Math.floor(offset / SUCCESSES_PER_PACK);
  const last = Math.floor((offset + limit - 1) / SUCCESSES_PER_PACK);
  const packs = await db
    .selectFrom("job_successes")
    .select("entries")
    .where("job_id", "=", job.id)
    .where("pack", ">=", first)
    .where("pack", "<=", last)
    .orderBy("pack")
    .execute();
  const start = offset - first * SUCCESSES_PER_PACK;
  return packs
    .flatMap((pack) => unpack(pack.entries))
    .slice(start, start + limit)
    .map(successOf(outcome));
}

/** Rejections or packs read at a time while walking a whole job. */
const REJECTIONS_PER_READ = 2_000;
const PACKS_PER_READ = 2;

/**
 * Every outcome of the job in line order (its CSV), read a part at a time: the rejections
 * and the successes are each stored in line order, so the two are merged as they come.
 */
export async function* eachOutcome(db: Kysely<DB>, job: JobRef): AsyncGenerator<EntryOutcome> {
  const rejections = eachRejection(db, job.id);
  const successes = eachSuccess(db, job);
  let rejection = await rejections.next();
  let success = await successes.next();
  while (!rejection.done || !success.done) {
    if (success.done || (!rejection.done && rejection.value.line < success.value.line)) {
      yield rejection.value;
      rejection = await rejections.next();
    } else {
      yield success.value;
      success = await successes.next();
    }
  }
}

async function* eachRejection(db: Kysely<DB>, jobId: number): AsyncGenerator<EntryOutcome> {
  // Keyset paging (after the last id read) walks the (job_id, outcome, id) index, not an offset.
  for (let after = 0; ; ) {
    const rows = await db
      .selectFrom("job_outcomes")
      .select(["id", ...REJECTION_COLUMNS])
      .where("job_id", "=", jobId)
      .where("outcome", "=", "rejected")
      .where("id", ">", after)
      .orderBy("id")
      .limit(REJECTIONS_PER_READ)
      .execute();
    for (const { id, ...outcome } of rows) {
      after = id;
      yield outcome;
    }
    if (rows.length < REJECTIONS_PER_READ) return;
  }
}

async function* eachSuccess(db: Kysely<DB>, job: JobRef): AsyncGenerator<EntryOutcome> {
  const toOutcome = successOf(doneOutcome(job));
  for (let after = -1; ; ) {
    const packs = await db
      .selectFrom("job_successes")
      .select(["pack", "entries"])
      .where("job_id", "=", job.id)
      .where("pack", ">", after)
      .orderBy("pack")
      .limit(PACKS_PER_READ)
      .execute();
    for (const pack of packs) {
      after = pack.pack;
      for (const entry of unpack(pack.entries)) yield toOutcome(entry);
    }
    if (packs.length < PACKS_PER_READ) return;
  }
}

const unpack = (entries: string): SuccessEntry[] => JSON.parse(entries) as SuccessEntry[];

const successOf =
  (outcome: Outcome) =>
  ([line, input, e164]: SuccessEntry): EntryOutcome => ({
    line,
    input,
    e164,
    outcome,
    code: null,
    message: null,
  });
