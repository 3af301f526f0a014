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
export type JobOutcome = Selectable<JobOutcomeTable>;
export type NewJobOutcome = Insertable<JobOutcomeTable>;
