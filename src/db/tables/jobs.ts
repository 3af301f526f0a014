import type { Generated, Insertable, Selectable } from "kysely";

export type JobKind = "add" | "delete";
export type Outcome = "added" | "removed" | "rejected";

export interface JobTable {
  id: Generated<number>;
  kind: JobKind;
  /** "manual" (typed or pasted) or "upload". */
  source: string;
  user_id: number | null;
  user_email: string;
  /** The level the run was made at, with a copy of its name for the record. */
  level_kind: string;
  level_id: number;
  business_id: number;
  business_unit_id: number | null;
  program_id: number | null;
  level_name: string;
  total: number;
  succeeded: number;
  rejected: number;
  created_at: string;
}
export type Job = Selectable<JobTable>;
export type NewJob = Insertable<JobTable>;

export interface JobOutcomeTable {
  id: Generated<number>;
  job_id: number;
  /** 1-based line (or entry) number in what the user gave. */
  line: number;
  input: string;
  e164: string | null;
  outcome: Outcome;
  code: string | null;
  message: string | null;
}
type JobOutcome = Selectable<JobOutcomeTable>;
export type NewJobOutcome = Insertable<JobOutcomeTable>;

/**
 * What a job says about one entry, wherever it is stored: a rejection's row in job_outcomes
 * or a success unpacked from job_successes. Outcome ids are not part of it: successes have
 * none, and line order is the order that matters.
 */
export type EntryOutcome = Omit<JobOutcome, "id" | "job_id">;

/**
 * Successes per job_successes row. Part of the stored format: pack p holds a job's successes
 * p × 1,000 … p × 1,000 + 999 (in line order), so changing this needs a migration that repacks.
 */
export const SUCCESSES_PER_PACK = 1_000;

/**
 * A job's successes (added or removed, as its kind says), packed: one row per 1,000 in line
 * order. A 100,000-number run then writes 100 rows instead of 100,000 rows and their index
 * entries. Rejections stay rows in job_outcomes, with their codes and messages.
 */
export interface JobSuccessTable {
  job_id: number;
  /** 0, 1, 2… in line order. */
  pack: number;
  /** JSON array of SuccessEntry. */
  entries: string;
}

/** One packed success: its line, the entry as given, and its number. */
export type SuccessEntry = [line: number, input: string, e164: string];
