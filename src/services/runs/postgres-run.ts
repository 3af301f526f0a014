/**
 * A bulk run on PostgreSQL: the same pass over the entries as on SQLite (run-engine.ts's
 * runEntries, so every line gets the same outcome, code and message), but set-based. The
 * numbers the run will ask about are read and locked in one statement (a few for 100,000),
 * the pass decides every line in memory against them, and the changes, outcomes, success
 * packs, audit events and job are written with array statements (db/postgres/bulk-writes.ts),
 * all in one transaction.
 *
 * Several instances: the run first takes the numbers' write lock (db/postgres/postgres.ts's
 * lockNumberWrites, an advisory lock held until commit; the reasons are there), which every
 * change to numbers on every instance takes first: an edit, a removal, a restore or another
 * run waits for this one to commit, then decides on what it wrote, and this one decides on
 * what they committed. Two instances' changes to the same numbers thus never add a number
 * twice or lose one, and never deadlock. The rows a run reads are also locked (FOR UPDATE),
 * and a number added meanwhile by a writer that did not take the lock (none in the portal
 * does) is skipped by the insert (ON CONFLICT DO NOTHING) and the run tried again whole.
 */
import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { isConnectionLost } from "../../db/errors.js";
import {
  deleteNumbers,
  insertAuditEvents,
  insertNumbers,
  insertOutcomes,
  insertSuccessPacks,
  lockNumbers,
} from "../../db/postgres/bulk-writes.js";
import { lockNumberWrites } from "../../db/postgres/postgres.js";
import type { NewAuditEvent } from "../../db/tables/audit.js";
import {
  type NewJob,
  type NewJobOutcome,
  SUCCESSES_PER_PACK,
  type SuccessEntry,
} from "../../db/tables/jobs.js";
import type { PhoneNumber } from "../../db/tables/numbers.js";
import { UnavailableError } from "../../domain/errors.js";
import { replaceControls } from "../../domain/text.js";
import { type LevelColumn, packText, type RunWrites } from "../../queries/run-writes.js";
import { finishRun, givenPurpose, jobRow, runSlice, startRun } from "./run-engine.js";
import {
  EntryReader,
  mayLookUpAsWritten,
  type ParsedNumber,
  type RunEntry,
} from "./run-entries.js";
import type { RunPlan, RunProgress, RunSummary } from "./run-plan.js";
import { LEVEL_COLUMNS, Run } from "./run-record.js";
import type { ReadAhead } from "./threads/read-ahead.js";

/** A number another instance added while the run decided: the run starts over. */
class AddedElsewhere extends Error {}

/** What a run whose connection dropped says: the server rolled its transaction back. */
export const RUN_INTERRUPTED =
  "The connection to the database was lost during the run: it was rolled back whole and nothing was changed. Try again.";

/** Entries decided between two writes of what they hold. */
const SLICE = 10_000;

/** Times a run starts over before giving up (each retry found a number added meanwhile). */
const ATTEMPTS = 3;

/** Reads entries as the pass will, with the numbers read beforehand (to know what to lock). */
class PreReadEntries extends EntryReader {
  readonly #read = new Map<RunEntry, ParsedNumber>();

  override read(entry: RunEntry): ParsedNumber {
    let parsed = entry.parsed ?? this.#read.get(entry);
    if (parsed === undefined) {
      parsed = super.read(entry);
      this.#read.set(entry, parsed);
    }
    return parsed;
  }
}

/**
 * The run's writes, held: lookups answer from the numbers read (and locked) beforehand,
 * changes and records are kept until `commit` writes each kind in a few statements.
 */
class HeldWrites implements RunWrites {
  /** The numbers read (and locked) beforehand, less those the run removed. */
  readonly #known = new Map<string, PhoneNumber>();
  /**
   * The numbers the run added, with their call purposes: a row each would cost a 100,000-number
   * run about 30 MiB (V8 gave every `{ ...row, id }` a hidden class of its own), more than an
   * upload worker's heap could spare.
   */
  readonly #new = new Map<string, number>();
  readonly #levelColumn: LevelColumn;
  readonly #removed: number[] = [];
  readonly #added: Array<{ e164: string; callPurposeId: number }> = [];
  readonly #outcomes: NewJobOutcome[] = [];
  readonly #successes: SuccessEntry[] = [];
  readonly #events: NewAuditEvent[] = [];
  #job: NewJob | null = null;
  /** Success packs written so far. */
  #packs = 0;
  #counts = { total: 0, succeeded: 0, rejected: 0 };

  /** The job's id, once its row is written. */
  jobId = 0;

  constructor(readonly plan: RunPlan) {
    this.#levelColumn = LEVEL_COLUMNS[plan.level.kind];
  }

  know(numbers: PhoneNumber[]): void {
    for (const number of numbers) this.#known.set(number.e164, number);
  }

  isKnown(e164: string): boolean {
    return this.#known.has(e164) || this.#new.has(e164);
  }

  /** Whether removeAt would remove it: at the level, with the call purpose if one is given. */
  removable(e164: string, levelId: number, callPurposeId: number | null): boolean {
    const number = this.#known.get(e164);
    return (
      number !== undefined &&
      number[this.#levelColumn] === levelId &&
      (callPurposeId === null || number.call_purpose_id === callPurposeId)
    );
  }

  removeAt(e164: string, levelId: number, callPurposeId: number | null): PhoneNumber | undefined {
    if (!this.removable(e164, levelId, callPurposeId)) return undefined;
    const number = this.#known.get(e164) as PhoneNumber;
    this.#known.delete(e164);
    this.#removed.push(number.id);
    return number;
  }

  find(e164: string): PhoneNumber | undefined {
    const known = this.#known.get(e164);
    const purpose = this.#new.get(e164);
    if (known || purpose === undefined) return known;
    const { level } = this.plan;
    const at = (this.#job as NewJob).created_at;
    return {
      id: 0,
      e164,
      business_id: level.business.id,
      business_unit_id: level.unit?.id ?? null,
      program_id: level.program?.id ?? null,
      call_purpose_id: purpose,
      created_at: at,
      updated_at: at,
    };
  }

  /** Noted to be inserted; its audit event finds its id when written (insertAuditEvents). */
  add(row: Omit<PhoneNumber, "id">): number | undefined {
    if (this.isKnown(row.e164)) return undefined;
    this.#added.push({ e164: row.e164, callPurposeId: row.call_purpose_id });
    this.#new.set(row.e164, row.call_purpose_id);
    return 0;
  }

  outcome(row: NewJobOutcome): void {
    this.#outcomes.push(row);
  }

  success(line: number, input: string, e164: string): void {
    this.#successes.push([line, input, e164]);
  }

  audit(row: NewAuditEvent): void {
    this.#events.push(row);
  }

  flush(): void {}

  /** The row was written before the pass (for its id): it is kept for its time. */
  startJob(row: NewJob): number {
    this.#job = row;
    return this.jobId;
  }

  finishJob(_id: number, counts: { total: number; succeeded: number; rejected: number }): void {
    this.#counts = counts;
  }

  /**
   * Writes what is held so far, set-based, and forgets it (a 100,000-number run's rows would
   * not fit an upload worker's heap all at once). Throws AddedElsewhere if a number it adds
   * was taken meanwhile. `last`: the part pack too, and the job's counts.
   */
  async drain(trx: Kysely<DB>, last: boolean): Promise<void> {
    const { level } = this.plan;
    const job = this.#job as NewJob;
    const added = this.#added.splice(0);
    const inserted = await insertNumbers(
      trx,
      {
        businessId: level.business.id,
        unitId: level.unit?.id ?? null,
        programId: level.program?.id ?? null,
        at: job.created_at,
      },
      added,
    );
    if (inserted !== added.length) throw new AddedElsewhere();
    await deleteNumbers(trx, this.#removed.splice(0));
    await insertOutcomes(trx, this.#outcomes.splice(0).map(withoutNul));
    const full = this.#successes.length - (this.#successes.length % SUCCESSES_PER_PACK);
    const packs: string[] = [];
    const ready = this.#successes.splice(0, last ? this.#successes.length : full);
    for (let start = 0; start < ready.length; start += SUCCESSES_PER_PACK) {
      packs.push(packText(ready.slice(start, start + SUCCESSES_PER_PACK)));
    }
    await insertSuccessPacks(trx, this.jobId, this.#packs, packs);
    this.#packs += packs.length;
    const events = this.#events.splice(0);
    // Its number's id is looked up as the event is written (see add).
    for (const event of events) if (event.action === "number.add") event.subject_id = null;
    await insertAuditEvents(trx, events);
    if (last) {
      await trx.updateTable("jobs").set(this.#counts).where("id", "=", this.jobId).execute();
    }
  }
}

/**
 * PostgreSQL refuses NUL in text. A run keeps its entries' input with controls replaced
 * already; a call purpose named in an upload ends up in a rejection's message as given.
 */
function withoutNul(row: NewJobOutcome): NewJobOutcome {
  return row.message?.includes("\u0000") ? { ...row, message: replaceControls(row.message) } : row;
}

/** The numbers a run will ask about: as written (deletes) or as read, deduplicated. */
async function readAndLock(
  trx: Kysely<DB>,
  run: Run,
  writes: HeldWrites,
  reader: PreReadEntries,
  entries: RunEntry[],
): Promise<void> {
  const { plan } = run;
  if (plan.kind === "delete") {
    const asWritten = entries
      .filter((entry) => entry.parsed === undefined && mayLookUpAsWritten(entry.number))
      .map((entry) => entry.number);
    writes.know(await lockNumbers(trx, [...new Set(asWritten)]));
  }
  const toFind = new Set<string>();
  for (const entry of entries) {
    // A delete removes a number found as written without reading it (run-entries.ts).
    if (
      plan.kind === "delete" &&
      entry.parsed === undefined &&
      mayLookUpAsWritten(entry.number) &&
      writes.removable(entry.number, plan.level.id, givenPurpose(run, entry))
    ) {
      continue;
    }
    const parsed = reader.read(entry);
    if (parsed.ok && !writes.isKnown(parsed.e164)) toFind.add(parsed.e164);
  }
  writes.know(await lockNumbers(trx, [...toFind]));
}

/** Runs the plan over the entries on PostgreSQL, in one transaction; returns the job's counts. */
export async function executePostgresRun(
  db: Kysely<DB>,
  plan: RunPlan,
  entries: RunEntry[],
  progress?: RunProgress,
  /** The entries' numbers being read in another thread: all are taken before the run locks. */
  ahead?: ReadAhead,
  /** Told once the run holds its numbers: until then it may wait for another change. */
  locked?: () => void,
): Promise<RunSummary> {
  ahead?.upTo(entries.length - 1);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        const reader = new PreReadEntries(plan.defaultRegion);
        const writes = new HeldWrites(plan);
        const run = new Run(plan, writes);
        // Before anything is written: see the top of this file.
        await lockNumberWrites(trx);
        // The job row first, for its id; its counts are set at the end, as on SQLite.
        const job = await trx
          .insertInto("jobs")
          .values(jobRow(run, entries.length))
          .returning("id")
          .executeTakeFirstOrThrow();
        writes.jobId = job.id;
        await readAndLock(trx, run, writes, reader, entries);
        locked?.();
        startRun(run, entries.length);
        for (let from = 0; from < entries.length; from += SLICE) {
          runSlice(run, reader, entries, from, Math.min(from + SLICE, entries.length), progress);
          await writes.drain(trx, false);
        }
        const summary = finishRun(run, entries.length);
        await writes.drain(trx, true);
        return summary;
      });
    } catch (error) {
      if (isConnectionLost(error)) throw new UnavailableError(RUN_INTERRUPTED);
      if (!(error instanceof AddedElsewhere) || attempt >= ATTEMPTS) throw error;
    }
  }
}
