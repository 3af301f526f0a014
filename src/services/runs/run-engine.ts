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
import type { NewJob } from "../../db/tables/jobs.js";
import type { PhoneNumber } from "../../db/tables/numbers.js";
import { canSeeNumber } from "../../domain/permissions.js";
import { ELSEWHERE_UNSEEN, NOT_FOUND_MESSAGE } from "../../domain/rejections.js";
import { prepareRunWrites } from "../../queries/run-writes.js";
import { actorColumns } from "../audit/audit.js";
import { EntryReader, mayLookUpAsWritten, type Rejection, type RunEntry } from "./run-entries.js";
import {
  PROGRESS_EVERY,
  type PurposeRef,
  type RunPlan,
  type RunProgress,
  type RunSummary,
} from "./run-plan.js";
import { LEVEL_COLUMNS, type Parsed, Run } from "./run-record.js";
import type { ReadAhead } from "./threads/read-ahead.js";

export type { RunEntry } from "./run-entries.js";
export type { RunPlan, RunProgress, RunSummary } from "./run-plan.js";

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
    if (earlier) {
      run.reject(written, earlier);
      return;
    }
    if (tryRemove(run, written)) return;
    reader.unclaim(written.e164);
    triedAsWritten = true;
  }
  const p = readAndClaim(run, reader, entry);
  if (!p) return;
  // Already looked up as written, and not found: only the reason is left to say.
  if (triedAsWritten && p.e164 === entry.number) explainNotRemoved(run, p);
  else if (!tryRemove(run, p)) explainNotRemoved(run, p);
}

/**
 * The entry's number, read and noted as this entry's; null when it was rejected instead (no
 * phone number, or one an earlier entry holds).
 */
function readAndClaim(
  run: Run,
  reader: EntryReader,
  entry: RunEntry,
): (Parsed & { e164: string }) | null {
  const parsed = reader.read(entry);
  if (!parsed.ok) {
    run.reject({ entry, e164: null }, parsed);
    return null;
  }
  const p = { entry, e164: parsed.e164 };
  const repeat = reader.claim(parsed.e164, entry.line);
  if (repeat) {
    run.reject(p, repeat);
    return null;
  }
  return p;
}

/** The call purpose a delete entry names: its id, -1 for a name not in the catalog, or null. */
export function givenPurpose(run: Run, entry: RunEntry): number | null {
  const given = entry.callPurpose?.trim() || null;
  // A purpose name not in the catalog matches no number: the entry is then explained.
  return given === null ? null : (run.purposeByName.get(given.toLowerCase())?.id ?? -1);
}

/** Removes the number if it is at the level (with the purpose given); false if not. */
function tryRemove(run: Run, p: Parsed & { e164: string }): boolean {
  const removed = run.writes.removeAt(p.e164, run.plan.level.id, givenPurpose(run, p.entry));
  if (removed) {
    run.succeed(p.entry, removed.e164, () => ({
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
    }));
  }
  return removed !== undefined;
}

/** Why a delete entry's number was not removed: not there, elsewhere, or another purpose. */
function explainNotRemoved(run: Run, p: Parsed & { e164: string }): void {
  const number = run.writes.find(p.e164);
  if (!number || !canSeeNumber(run.plan.user, number)) {
    // Numbers of other tenants are "not found" too: a run must not reveal them.
    run.reject(p, { code: "NOT_FOUND", message: NOT_FOUND_MESSAGE });
  } else if (!run.insideLevel(number)) {
    run.reject(p, {
      code: "OUTSIDE_LEVEL",
      message: `It is in ${run.placeOf(number)}, not in ${run.trail}.`,
    });
  } else {
    const current = run.purposeById.get(number.call_purpose_id)?.name ?? "";
    run.reject(p, {
      code: "CALL_PURPOSE_MISMATCH",
      message: `It is ${current}, not ${p.entry.callPurpose?.trim() ?? ""}.`,
    });
  }
}

/** Why an add found the number already in the portal; where, only if the user may see it. */
function alreadyThere(run: Run, number: PhoneNumber): Rejection {
  const visible = canSeeNumber(run.plan.user, number);
  if (visible && run.insideLevel(number)) {
    return { code: "ALREADY_HERE", message: `It is in ${run.placeOf(number)}.` };
  }
  return {
    code: "EXISTS_ELSEWHERE",
    message: visible ? `It is in ${run.placeOf(number)}.` : ELSEWHERE_UNSEEN,
  };
}

/** Add: puts the entry's number at the level with its call purpose, else says why not. */
function addEntry(run: Run, reader: EntryReader, entry: RunEntry): void {
  const p = readAndClaim(run, reader, entry);
  if (p) addOne(run, p);
}

/**
 * The call purpose an add entry gets: the one chosen for it, named with it, or the form's;
 * undefined when that is none the catalog offers (the entry is then rejected).
 */
export function addPurpose(run: Run, entry: RunEntry): PurposeRef | undefined {
  const named = entry.callPurpose;
  const chosen = entry.purposeId;
  const purpose =
    chosen !== undefined
      ? run.purposeById.get(/^\d{1,15}$/.test(chosen) ? Number(chosen) : -1)
      : named === null
        ? run.purposeById.get(run.plan.fallbackPurposeId ?? -1)
        : run.purposeByName.get(named.trim().toLowerCase());
  return purpose && purpose.retired_at === null ? purpose : undefined;
}

function addOne(run: Run, p: Parsed & { e164: string }): void {
  const { e164 } = p;
  const { level } = run.plan;
  const named = p.entry.callPurpose;
  const chosen = p.entry.purposeId;
  const purpose = addPurpose(run, p.entry);
  if (!purpose) {
    const number = run.writes.find(e164);
    run.reject(
      p,
      number
        ? alreadyThere(run, number)
        : {
            code: "UNKNOWN_CALL_PURPOSE",
            message:
              chosen !== undefined
                ? `The one chosen (${chosen}) is not offered.`
                : `"${named ?? ""}" is not offered.`,
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
  run.succeed(p.entry, e164, () => ({
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
  }));
}

/** The job row of a run, written first (outcomes name it); its counts come at the end. */
export function jobRow(run: Run, total: number): NewJob {
  const { plan } = run;
  const { level } = plan;
  return {
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
  };
}

/**
 * Every entry in turn, through `run.writes`, then the job's counts and events: the one pass
 * both databases' engines share, so outcomes are the same on both.
 */
function runEntries(
  run: Run,
  reader: EntryReader,
  entries: RunEntry[],
  progress?: RunProgress,
  ahead?: ReadAhead,
): RunSummary {
  startRun(run, entries.length);
  runSlice(run, reader, entries, 0, entries.length, progress, ahead);
  return finishRun(run, entries.length);
}

/** The job's row, first (runEntries in parts, for an engine that writes between them). */
export function startRun(run: Run, total: number): void {
  run.jobId = run.writes.startJob(jobRow(run, total));
}

/** Entries `from` … `to` - 1, in turn. */
export function runSlice(
  run: Run,
  reader: EntryReader,
  entries: RunEntry[],
  from: number,
  to: number,
  progress?: RunProgress,
  ahead?: ReadAhead,
): void {
  const total = entries.length;
  for (let index = from; index < to; index++) {
    const entry = entries[index] as RunEntry;
    ahead?.upTo(index);
    if (run.plan.kind === "delete") deleteEntry(run, reader, entry);
    else addEntry(run, reader, entry);
    if (progress && (index + 1) % PROGRESS_EVERY === 0) progress(index + 1, total);
  }
}

/** The job's counts and events, last. */
export function finishRun(run: Run, total: number): RunSummary {
  run.finish(total);
  return {
    jobId: run.jobId,
    total,
    succeeded: run.succeeded,
    rejected: run.rejected,
  };
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
  /** The entries' numbers being read in another thread, to be taken as the run reaches them. */
  ahead?: ReadAhead,
): RunSummary {
  const reader = new EntryReader(plan.defaultRegion);
  const writes = prepareRunWrites(handle, LEVEL_COLUMNS[plan.level.kind]);
  const run = new Run(plan, writes);
  const work = handle.transaction(
    (): RunSummary => runEntries(run, reader, entries, progress, ahead),
  );
  return work.immediate();
}
