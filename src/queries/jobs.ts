import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { Job, JobOutcome, NewJob, NewJobOutcome, Outcome } from "../db/tables/jobs.js";

export function insertJob(db: Kysely<DB>, values: NewJob): Promise<Job> {
  return db.insertInto("jobs").values(values).returningAll().executeTakeFirstOrThrow();
}

/** Outcomes in batches: one statement per 500 rows keeps under SQLite's variable limit. */
export async function insertOutcomes(db: Kysely<DB>, rows: NewJobOutcome[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto("job_outcomes")
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

export function findJob(db: Kysely<DB>, id: number): Promise<Job | undefined> {
  return db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
}

export function listOutcomes(
  db: Kysely<DB>,
  jobId: number,
  outcome: Outcome | null,
  limit: number,
  offset: number,
): Promise<JobOutcome[]> {
  let query = db.selectFrom("job_outcomes").selectAll().where("job_id", "=", jobId);
  if (outcome !== null) query = query.where("outcome", "=", outcome);
  return query.orderBy("id").limit(limit).offset(offset).execute();
}
