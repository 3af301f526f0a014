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
import { insertNumbers, lockNumbers } from "../../db/postgres/bulk-writes.js";
import { lockNumberWrites } from "../../db/postgres/postgres.js";
import type { PhoneNumber } from "../../db/tables/numbers.js";
import { UnavailableError } from "../../domain/errors.js";
import {
  AddedElsewhere,
  HeldWrites,
  placeOf,
  removable,
  type SliceNumbers,
} from "./postgres-held-writes.js";
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
  return { found: [...found.values(), ...more], inserted: new Map() };
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
          // The first slice's rows are the run's: until now another change holding some of
          // them could keep it waiting, and its progress said so.
          if (from === 0) locked?.();
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
