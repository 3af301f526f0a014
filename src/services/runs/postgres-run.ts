/**
 * A bulk run on PostgreSQL: the same pass over the entries as on SQLite (run-engine.ts's
 * runEntries, so every line gets the same outcome, code and message), but set-based. The run
 * goes in slices of SLICE entries: the numbers a slice will ask about are read and locked in
 * one statement (an add inserts those it will add first, see insertAndLock), the pass decides
 * the slice's lines in memory against them, and its other changes, outcomes, success packs and
 * audit events are written with array statements (db/postgres/bulk-writes.ts), all in one
 * transaction. The database and this thread work side by side (executePostgresRun), and the
 * upload worker's number reader (threads/read-ahead.ts) reads the numbers of the slices ahead,
 * so reading costs a run no time of its own (all of them read first cost 1 s of 100,000).
 *
 * Several instances: the run first takes the numbers' write lock (db/postgres/postgres.ts's
 * lockNumberWrites, an advisory lock held until commit; the reasons are there), which every
 * change to numbers on every instance takes first: an edit, a removal, a restore or another
 * run waits for this one to commit, then decides on what it wrote, and this one decides on
 * what they committed. Two instances' changes to the same numbers thus never add a number
 * twice or lose one, and never deadlock (nothing else holds a number's row while the run
 * holds that lock, so locking slice by slice cannot either). The rows a run reads are also
 * locked (FOR UPDATE); an add inserts its numbers before its pass (ON CONFLICT DO NOTHING),
 * and those already held are then locked and rejected. Should a writer that did not take the
 * lock (none in the portal does) remove one of those in between, the run is tried again whole.
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
import { addPurpose, finishRun, givenPurpose, jobRow, runSlice, startRun } from "./run-engine.js";
import {
  EntryReader,
  mayLookUpAsWritten,
  type ParsedNumber,
  type RunEntry,
} from "./run-entries.js";
import type { RunPlan, RunProgress, RunSummary } from "./run-plan.js";
import { LEVEL_COLUMNS, Run } from "./run-record.js";
import type { ReadAhead } from "./threads/read-ahead.js";

/** A number another writer added or removed while the run decided: the run starts over. */
class AddedElsewhere extends Error {}

/** What a run whose connection dropped says: the server rolled its transaction back. */
export const RUN_INTERRUPTED =
  "The connection to the database was lost during the run: it was rolled back whole and nothing was changed. Try again.";

/**
 * Entries read, locked, decided and written at a time: enough that each statement carries
 * thousands of rows, few enough that the next slice's numbers are read while the database
 * writes this one's and that a slice's rows fit the upload worker's heap with room to spare.
 */
const SLICE = 10_000;

/**
 * Entries the pass decides before it lets the connection take the database's answers: the
 * pg client sends a queued statement only from this thread's event loop.
 */
const PASS_PART = 1_000;

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

  /** Forgets the readings of entries `from` … `to` - 1 once decided (not read again). */
  forgetReadings(entries: RunEntry[], from: number, to: number): void {
    for (let index = from; index < to; index++) this.#read.delete(entries[index] as RunEntry);
  }
}

/**
 * The run's writes, held: lookups answer from the numbers read (and locked) beforehand,
 * changes and records are kept until `commit` writes each kind in a few statements.
 */
class HeldWrites implements RunWrites {
  /** The slice's numbers read (and locked) beforehand, less those the run removed. */
  readonly #known = new Map<string, PhoneNumber>();
  /**
   * The numbers the slice added, with their call purposes (a row each would cost a 100,000-number
   * run about 30 MiB: V8 gave every `{ ...row, id }` a hidden class of its own). Those of earlier
   * slices are in the database by then, where the next slice's lookup finds them.
   */
  readonly #new = new Map<string, number>();
  /** The slice's numbers inserted before its pass (see readAndLock), and how many it added. */
  #inserted = new Set<string>();
  #insertedAdded = 0;
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

  /** What readAndLock found for the slice the pass decides next. */
  know({ found, inserted }: SliceNumbers): void {
    for (const number of found) this.#known.set(number.e164, number);
    this.#inserted = inserted;
  }

  isKnown(e164: string): boolean {
    return this.#known.has(e164) || this.#new.has(e164);
  }

  removeAt(e164: string, levelId: number, callPurposeId: number | null): PhoneNumber | undefined {
    const number = this.#known.get(e164);
    if (!removable(number, this.#levelColumn, levelId, callPurposeId)) return undefined;
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

  /**
   * Inserted before the pass, as a rule; else noted to be inserted. Its audit event finds its
   * id when written (insertAuditEvents).
   */
  add(row: Omit<PhoneNumber, "id">): number | undefined {
    if (this.isKnown(row.e164)) return undefined;
    if (this.#inserted.has(row.e164)) this.#insertedAdded++;
    else this.#added.push({ e164: row.e164, callPurposeId: row.call_purpose_id });
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
   * not fit an upload worker's heap all at once). Everything is taken before the first
   * statement is sent, so the pass may go on with the next slice while these are written.
   * Rejects with AddedElsewhere if a number it adds was taken meanwhile. `last`: the part pack
   * too, and the job's counts.
   */
  drain(trx: Kysely<DB>, last: boolean): Promise<void> {
    // Every number inserted before the pass must be one it added, or a line would lack its
    // outcome: readAndLock and addEntry disagreeing is a bug, and the run is rolled back.
    if (this.#insertedAdded !== this.#inserted.size) {
      return Promise.reject(
        new Error(`a run inserted ${this.#inserted.size} numbers but added ${this.#insertedAdded}`),
      );
    }
    this.#inserted = new Set();
    this.#insertedAdded = 0;
    const job = this.#job as NewJob;
    const added = this.#added.splice(0);
    const removed = this.#removed.splice(0);
    const outcomes = this.#outcomes.splice(0).map(withoutNul);
    const full = this.#successes.length - (this.#successes.length % SUCCESSES_PER_PACK);
    const packs: string[] = [];
    const ready = this.#successes.splice(0, last ? this.#successes.length : full);
    for (let start = 0; start < ready.length; start += SUCCESSES_PER_PACK) {
      packs.push(packText(ready.slice(start, start + SUCCESSES_PER_PACK)));
    }
    const firstPack = this.#packs;
    this.#packs += packs.length;
    const events = this.#events.splice(0);
    // Its number's id is looked up as the event is written (see add).
    for (const event of events) if (event.action === "number.add") event.subject_id = null;
    // The next slice's numbers were read from the database beforehand (see executePostgresRun).
    this.#known.clear();
    this.#new.clear();
    const counts = last ? this.#counts : null;
    // All sent at once: the connection runs them one after another without waiting for this
    // thread, which meanwhile decides the next slice. Numbers still to insert (as a rule, none:
    // see insertAndLock) go in before the events that name them.
    const inserted = insertNumbers(trx, placeOf(this.plan, job.created_at), added);
    const audited =
      added.length > 0
        ? inserted.then(() => insertAuditEvents(trx, events))
        : insertAuditEvents(trx, events);
    return Promise.all([
      inserted.then((numbers) => {
        if (numbers.size !== added.length) throw new AddedElsewhere();
      }),
      deleteNumbers(trx, removed),
      insertOutcomes(trx, outcomes),
      insertSuccessPacks(trx, this.jobId, firstPack, packs),
      audited,
      counts && trx.updateTable("jobs").set(counts).where("id", "=", this.jobId).execute(),
    ]).then(() => {});
  }
}

/** Where a run's new numbers go, and when. */
function placeOf(plan: RunPlan, at: string) {
  const { level } = plan;
  return {
    businessId: level.business.id,
    unitId: level.unit?.id ?? null,
    programId: level.program?.id ?? null,
    at,
  };
}

/** What readAndLock found for a slice: the numbers held already, and those it added. */
interface SliceNumbers {
  found: PhoneNumber[];
  inserted: Set<string>;
}

/**
 * PostgreSQL refuses NUL in text. A run keeps its entries' input with controls replaced
 * already; a call purpose named in an upload ends up in a rejection's message as given.
 */
function withoutNul(row: NewJobOutcome): NewJobOutcome {
  return row.message?.includes("\u0000") ? { ...row, message: replaceControls(row.message) } : row;
}

/** Whether removeAt would remove `number`: at the level, with the call purpose if one is given. */
function removable(
  number: PhoneNumber | undefined,
  levelColumn: LevelColumn,
  levelId: number,
  callPurposeId: number | null,
): number is PhoneNumber {
  return (
    number !== undefined &&
    number[levelColumn] === levelId &&
    (callPurposeId === null || number.call_purpose_id === callPurposeId)
  );
}

/**
 * Add: inserts the numbers of entries `from` … `to` - 1 that the pass will add (read, not
 * repeated, with a call purpose on offer: `claimed` holds the run's numbers so far, as the
 * pass's EntryReader will), in their order, and locks those the portal holds already, which
 * the pass then rejects. One statement finds out whether a number is there and adds it:
 * looking every number up first cost as much again (100,000 index probes).
 */
async function insertAndLock(
  trx: Kysely<DB>,
  run: Run,
  reader: PreReadEntries,
  entries: RunEntry[],
  from: number,
  to: number,
  claimed: Set<string>,
): Promise<SliceNumbers> {
  const adds: Array<{ e164: string; callPurposeId: number }> = [];
  const toFind: string[] = [];
  for (let index = from; index < to; index++) {
    const entry = entries[index] as RunEntry;
    const parsed = reader.read(entry);
    if (!parsed.ok || claimed.has(parsed.e164)) continue;
    claimed.add(parsed.e164);
    const purpose = addPurpose(run, entry);
    // Rejected, but said where the number is if the portal holds it.
    if (!purpose) toFind.push(parsed.e164);
    else adds.push({ e164: parsed.e164, callPurposeId: purpose.id });
  }
  const inserted = await insertNumbers(trx, placeOf(run.plan, run.now), adds);
  for (const { e164 } of adds) if (!inserted.has(e164)) toFind.push(e164);
  const found = await lockNumbers(trx, toFind);
  if (inserted.size < adds.length) {
    // Not inserted, so held already; yet not found: removed meanwhile by a writer that did not
    // take the numbers' write lock (none in the portal). The run starts over.
    const held = new Set(found.map((number) => number.e164));
    if (adds.some(({ e164 }) => !inserted.has(e164) && !held.has(e164))) throw new AddedElsewhere();
  }
  return { found, inserted };
}

/**
 * The numbers entries `from` … `to` - 1 will ask about, locked: as written (deletes) or as
 * read, deduplicated. Sent while the pass decides the slice before (see executePostgresRun),
 * so it keeps what it finds to itself until the run takes it.
 */
async function readAndLock(
  trx: Kysely<DB>,
  run: Run,
  reader: PreReadEntries,
  entries: RunEntry[],
  from: number,
  to: number,
  claimed: Set<string>,
): Promise<SliceNumbers> {
  const { plan } = run;
  if (plan.kind === "add") return insertAndLock(trx, run, reader, entries, from, to, claimed);
  const slice = entries.slice(from, to);
  const found = new Map<string, PhoneNumber>();
  if (plan.kind === "delete") {
    const asWritten = slice
      .filter((entry) => entry.parsed === undefined && mayLookUpAsWritten(entry.number))
      .map((entry) => entry.number);
    for (const number of await lockNumbers(trx, [...new Set(asWritten)])) {
      found.set(number.e164, number);
    }
  }
  const levelColumn = LEVEL_COLUMNS[plan.level.kind];
  const toFind = new Set<string>();
  for (const entry of slice) {
    // A delete removes a number found as written without reading it (run-entries.ts).
    if (
      plan.kind === "delete" &&
      entry.parsed === undefined &&
      mayLookUpAsWritten(entry.number) &&
      removable(found.get(entry.number), levelColumn, plan.level.id, givenPurpose(run, entry))
    ) {
      continue;
    }
    const parsed = reader.read(entry);
    if (parsed.ok && !found.has(parsed.e164)) toFind.add(parsed.e164);
  }
  const more = await lockNumbers(trx, [...toFind]);
  return { found: [...found.values(), ...more], inserted: new Set() };
}

/** Marks a promise's failure as handled: it is awaited later, after other work. */
function later<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * Runs the plan over the entries on PostgreSQL, in one transaction; returns the job's counts.
 *
 * The database and the pass take turns on the CPU otherwise: while the pass decides a slice,
 * the database locks the next slice's numbers and writes the previous slice's rows. That
 * is sound because no entry's outcome depends on what the run itself wrote before: a number
 * the run added or removed is claimed by the entry that did it (EntryReader.claim), so any
 * later entry naming it is a DUPLICATE_IN_LIST without being looked up.
 */
export async function executePostgresRun(
  db: Kysely<DB>,
  plan: RunPlan,
  entries: RunEntry[],
  progress?: RunProgress,
  /** The entries' numbers being read in another thread, taken a slice at a time. */
  ahead?: ReadAhead,
  /** Told once the run holds the numbers' write lock: until then it may wait for another change. */
  locked?: () => void,
): Promise<RunSummary> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        const reader = new PreReadEntries(plan.defaultRegion);
        const writes = new HeldWrites(plan);
        const run = new Run(plan, writes);
        // Before anything is written: see the top of this file.
        await lockNumberWrites(trx);
        locked?.();
        // The job row first, for its id; its counts are set at the end, as on SQLite.
        const job = await trx
          .insertInto("jobs")
          .values(jobRow(run, entries.length))
          .returning("id")
          .executeTakeFirstOrThrow();
        writes.jobId = job.id;
        startRun(run, entries.length);
        /** Add: the numbers of the slices read so far (see insertAndLock). */
        const claimed = new Set<string>();
        const lockSlice = (from: number): Promise<SliceNumbers> | null => {
          if (from >= entries.length) return null;
          const to = Math.min(from + SLICE, entries.length);
          // The reader has read these by now, as a rule (else the run reads the rest itself).
          ahead?.upTo(to - 1);
          return later(readAndLock(trx, run, reader, entries, from, to, claimed));
        };
        let next = lockSlice(0);
        let written: Promise<void> = Promise.resolve();
        for (let from = 0; next; from += SLICE) {
          const to = Math.min(from + SLICE, entries.length);
          writes.know(await next);
          next = lockSlice(to);
          // In parts, letting the connection go on to its next statement in between.
          for (let part = from; part < to; part += PASS_PART) {
            runSlice(run, reader, entries, part, Math.min(part + PASS_PART, to), progress);
            await new Promise(setImmediate);
          }
          reader.forgetReadings(entries, from, to);
          await written;
          written = later(writes.drain(trx, false));
        }
        await written;
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
