/**
 * The work of a bulk add or delete run (product.md §4), synchronous on a raw SQLite handle:
 * every entry gets an outcome, valid numbers are never blocked by invalid ones, and the
 * changes, their audit events, the job and its outcomes commit in one IMMEDIATE transaction.
 *
 * It takes a plain RunPlan (no database reads of its own beyond the run's numbers), so the
 * same code runs on the portal's writer for typed lists and in an upload worker thread, on
 * that thread's own connection, for files (services/run-workers.ts).
 */
import type SqliteDatabase from "better-sqlite3";
import type { NewAuditEvent } from "../db/tables/audit.js";
import type { JobKind, NewJobOutcome } from "../db/tables/jobs.js";
import type { PhoneNumber } from "../db/tables/numbers.js";
import { type Level, levelTrail } from "../domain/levels.js";
import { type CurrentUser, canSeeNumber } from "../domain/permissions.js";
import { type LevelColumn, prepareRunWrites, type RunWrites } from "../queries/run-writes.js";
import { actorColumns } from "./audit.js";
import { EntryReader, mayLookUpAsWritten, type Rejection, type RunEntry } from "./run-entries.js";

export type { ParsedNumber, RunEntry } from "./run-entries.js";

export interface PurposeRef {
  id: number;
  name: string;
  retired_at: string | null;
}

/** Everything a run needs to know besides its entries; plain data, so it can cross threads. */
export interface RunPlan {
  kind: JobKind;
  source: "manual" | "upload";
  user: CurrentUser;
  level: Level;
  defaultRegion: string | null;
  purposes: PurposeRef[];
  /** Add: the call purpose of entries that name none. */
  fallbackPurposeId: number | null;
  /** Names of the hierarchy, to say where a number is: [id, name] pairs. */
  places: {
    businesses: Array<[number, string]>;
    units: Array<[number, string]>;
    programs: Array<[number, string]>;
  };
}

export interface RunSummary {
  jobId: number;
  total: number;
  succeeded: number;
  rejected: number;
}

/** Told how far a run is, every PROGRESS_EVERY entries: for the progress bar of uploads. */
export type RunProgress = (done: number, total: number) => void;
export const PROGRESS_EVERY = 2_000;

/** An entry and the number it was read as (null: none). */
interface Parsed {
  entry: RunEntry;
  e164: string | null;
}

const LEVEL_COLUMNS: Record<Level["kind"], LevelColumn> = {
  business: "business_id",
  unit: "business_unit_id",
  program: "program_id",
};

/** The run's fixed facts, and how each entry's outcome and audit event are written. */
class Run {
  readonly now = new Date().toISOString();
  readonly trail: string;
  readonly purposeById: Map<number, PurposeRef>;
  readonly purposeByName: Map<string, PurposeRef>;
  readonly #names: Array<Map<number, string>>;
  jobId = 0;
  succeeded = 0;
  rejected = 0;

  constructor(
    readonly plan: RunPlan,
    readonly writes: RunWrites,
  ) {
    this.trail = levelTrail(plan.level);
    this.purposeById = new Map(plan.purposes.map((p) => [p.id, p]));
    this.purposeByName = new Map(plan.purposes.map((p) => [p.name.toLowerCase(), p]));
    const { businesses, units, programs } = plan.places;
    this.#names = [new Map(businesses), new Map(units), new Map(programs)];
  }

  /** "ACME Corp › Billing › Q4 Reminders": where a number is. */
  placeOf(n: PhoneNumber): string {
    const [businesses, units, programs] = this.#names as [
      Map<number, string>,
      Map<number, string>,
      Map<number, string>,
    ];
    return [
      businesses.get(n.business_id),
      n.business_unit_id === null ? undefined : units.get(n.business_unit_id),
      n.program_id === null ? undefined : programs.get(n.program_id),
    ]
      .filter(Boolean)
      .join(" › ");
  }

  insideLevel(n: PhoneNumber): boolean {
    return n[LEVEL_COLUMNS[this.plan.level.kind]] === this.plan.level.id;
  }

  reject({ entry, e164 }: Parsed, { code, message }: Rejection): void {
    this.rejected++;
    this.writes.outcome(this.#outcome(entry, e164, "rejected", code, message));
  }

  succeed({ entry, e164 }: Parsed, event: Omit<NewAuditEvent, AuditCommon>): void {
    this.succeeded++;
    const done = this.plan.kind === "add" ? "added" : "removed";
    this.writes.outcome(this.#outcome(entry, e164, done, null, null));
    this.writes.audit(this.#event(event));
  }

  #outcome(
    entry: RunEntry,
    e164: string | null,
    outcome: NewJobOutcome["outcome"],
    code: string | null,
    message: string | null,
  ): NewJobOutcome {
    return {
      job_id: this.jobId,
      line: entry.line,
      input: entry.number.slice(0, 300),
      e164,
      outcome,
      code,
      message,
    };
  }

  #event(event: Omit<NewAuditEvent, AuditCommon>): NewAuditEvent {
    return { occurred_at: this.now, ...actorColumns(this.plan.user), ...event };
  }

  /** The job's own audit event, after its numbers'. */
  finish(total: number): void {
    const { plan } = this;
    this.writes.flush();
    this.writes.finishJob(this.jobId, {
      total,
      succeeded: this.succeeded,
      rejected: this.rejected,
    });
    this.writes.audit(
      this.#event({
        action: `job.${plan.kind}`,
        subject_type: "job",
        subject_id: this.jobId,
        business_id: plan.level.business.id,
        business_unit_id: plan.level.unit?.id ?? null,
        program_id: plan.level.program?.id ?? null,
        phone_number: null,
        summary: `${plan.kind === "add" ? "Added" : "Removed"} ${this.succeeded} of ${total} numbers at ${this.trail} (${plan.source})`,
        before_json: null,
        after_json: null,
      }),
    );
    this.writes.flush();
  }
}

type AuditCommon =
  | "occurred_at"
  | "actor_user_id"
  | "actor_email"
  | "actor_token_id"
  | "actor_token_name";

/**
 * Delete: removes the entry's number when it is at the level (see run-entries.ts for the
 * entries looked up as written before being read), else says why not.
 */
function deleteEntry(run: Run, reader: EntryReader, entry: RunEntry): void {
  let triedAsWritten = false;
  if (entry.parsed === undefined && mayLookUpAsWritten(entry.number)) {
    const written = { entry, e164: entry.number };
    // Only numbers found or read are noted, so an earlier one is sure to be this number.
    const earlier = reader.claim(written.e164, entry.line);
    if (earlier) return run.reject(written, earlier);
    if (tryRemove(run, written)) return;
    reader.unclaim(written.e164);
    triedAsWritten = true;
  }
  const parsed = reader.read(entry);
  if (!parsed.ok) return run.reject({ entry, e164: null }, parsed);
  const p = { entry, e164: parsed.e164 };
  const repeat = reader.claim(parsed.e164, entry.line);
  if (repeat) return run.reject(p, repeat);
  if (triedAsWritten && parsed.e164 === entry.number) return explainNotRemoved(run, p);
  if (!tryRemove(run, p)) explainNotRemoved(run, p);
}

/** The call purpose a delete entry names: its id, -1 for a name not in the catalog, or null. */
function givenPurpose(run: Run, entry: RunEntry): number | null {
  const given = entry.callPurpose?.trim() || null;
  // A purpose name not in the catalog matches no number: the entry is then explained.
  return given === null ? null : (run.purposeByName.get(given.toLowerCase())?.id ?? -1);
}

/** Removes the number if it is at the level (with the purpose given); false if not. */
function tryRemove(run: Run, p: Parsed & { e164: string }): boolean {
  const removed = run.writes.removeAt(p.e164, run.plan.level.id, givenPurpose(run, p.entry));
  if (removed) {
    run.succeed(p, {
      action: "number.remove",
      subject_type: "phone_number",
      subject_id: removed.id,
      business_id: removed.business_id,
      business_unit_id: removed.business_unit_id,
      program_id: removed.program_id,
      phone_number: removed.e164,
      summary: `Removed ${removed.e164} from ${run.placeOf(removed)} (bulk delete)`,
      before_json: JSON.stringify(removed),
      after_json: null,
    });
  }
  return removed !== undefined;
}

/** Why a delete entry's number was not removed: not there, elsewhere, or another purpose. */
function explainNotRemoved(run: Run, p: Parsed & { e164: string }): void {
  const number = run.writes.find(p.e164);
  if (!number || !canSeeNumber(run.plan.user, number)) {
    // Numbers of other tenants are "not found" too: a run must not reveal them.
    run.reject(p, { code: "NOT_FOUND", message: "Not in the portal." });
  } else if (!run.insideLevel(number)) {
    run.reject(p, {
      code: "OUTSIDE_LEVEL",
      message: `It is in ${run.placeOf(number)}, outside ${run.trail}.`,
    });
  } else {
    const current = run.purposeById.get(number.call_purpose_id)?.name ?? "";
    run.reject(p, {
      code: "CALL_PURPOSE_MISMATCH",
      message: `Its call purpose is ${current}, not ${p.entry.callPurpose?.trim() ?? ""}.`,
    });
  }
}

/** Why an add found the number already in the portal; where, only if the user may see it. */
function alreadyThere(run: Run, number: PhoneNumber): Rejection {
  const visible = canSeeNumber(run.plan.user, number);
  if (visible && run.insideLevel(number)) {
    return { code: "ALREADY_HERE", message: `Already in ${run.placeOf(number)}.` };
  }
  return {
    code: "EXISTS_ELSEWHERE",
    message: visible
      ? `Already in ${run.placeOf(number)}.`
      : "Already in the portal, in a place you cannot see.",
  };
}

/** Add: puts the entry's number at the level with its call purpose, else says why not. */
function addEntry(run: Run, reader: EntryReader, entry: RunEntry): void {
  const parsed = reader.read(entry);
  if (!parsed.ok) return run.reject({ entry, e164: null }, parsed);
  const p = { entry, e164: parsed.e164 };
  const repeat = reader.claim(parsed.e164, entry.line);
  if (repeat) return run.reject(p, repeat);
  addOne(run, p);
}

function addOne(run: Run, p: Parsed & { e164: string }): void {
  const { e164 } = p;
  const { level } = run.plan;
  const named = p.entry.callPurpose;
  const purpose =
    named === null
      ? run.purposeById.get(run.plan.fallbackPurposeId ?? -1)
      : run.purposeByName.get(named.trim().toLowerCase());
  if (!purpose || purpose.retired_at !== null) {
    const number = run.writes.find(e164);
    run.reject(
      p,
      number
        ? alreadyThere(run, number)
        : {
            code: "UNKNOWN_CALL_PURPOSE",
            message: `No call purpose named ${named ?? ""} is offered.`,
          },
    );
    return;
  }
  const id = run.writes.add({
    e164,
    business_id: level.business.id,
    business_unit_id: level.unit?.id ?? null,
    program_id: level.program?.id ?? null,
    call_purpose_id: purpose.id,
    created_at: run.now,
    updated_at: run.now,
  });
  if (id === undefined) {
    const number = run.writes.find(e164) as PhoneNumber;
    run.reject(p, alreadyThere(run, number));
    return;
  }
  run.succeed(p, {
    action: "number.add",
    subject_type: "phone_number",
    subject_id: id,
    business_id: level.business.id,
    business_unit_id: level.unit?.id ?? null,
    program_id: level.program?.id ?? null,
    phone_number: e164,
    summary: `Added ${e164} to ${run.trail} as ${purpose.name}`,
    before_json: null,
    after_json: JSON.stringify({ e164, call_purpose: purpose.name }),
  });
}

/**
 * Runs the plan over the entries on `handle` (which must be free for writing: the caller
 * holds the portal's writer lock) and returns the job's counts.
 */
export function executeRun(
  handle: SqliteDatabase.Database,
  plan: RunPlan,
  entries: RunEntry[],
  progress?: RunProgress,
): RunSummary {
  const reader = new EntryReader(plan.defaultRegion);
  const total = entries.length;
  const sample = { occurred_at: "", ...actorColumns(plan.user) };
  const writes = prepareRunWrites(handle, LEVEL_COLUMNS[plan.level.kind], {
    outcome: {
      job_id: 0,
      line: 0,
      input: "",
      e164: null,
      outcome: "added",
      code: null,
      message: null,
    },
    audit: {
      ...sample,
      action: "",
      subject_type: "",
      subject_id: null,
      business_id: null,
      business_unit_id: null,
      program_id: null,
      phone_number: null,
      summary: "",
      before_json: null,
      after_json: null,
    },
  });
  const run = new Run(plan, writes);
  const { level } = plan;
  const work = handle.transaction((): RunSummary => {
    run.jobId = writes.startJob({
      kind: plan.kind,
      source: plan.source,
      user_id: actorColumns(plan.user).actor_user_id,
      user_email: plan.user.email,
      level_kind: level.kind,
      level_id: level.id,
      business_id: level.business.id,
      business_unit_id: level.unit?.id ?? null,
      program_id: level.program?.id ?? null,
      level_name: run.trail,
      total,
      succeeded: 0,
      rejected: 0,
      created_at: run.now,
    });
    entries.forEach((entry, index) => {
      if (plan.kind === "delete") deleteEntry(run, reader, entry);
      else addEntry(run, reader, entry);
      if (progress && (index + 1) % PROGRESS_EVERY === 0) progress(index + 1, total);
    });
    run.finish(total);
    return {
      jobId: run.jobId,
      total,
      succeeded: run.succeeded,
      rejected: run.rejected,
    };
  });
  return work.immediate();
}
