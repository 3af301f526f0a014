/**
 * The writes of a PostgreSQL bulk run (postgres-run.ts), held: the pass's lookups answer from
 * the numbers its slice read and locked beforehand, and its changes, outcomes, success packs
 * and events are kept until `drain` sends each kind to the database in a statement or two.
 */
import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import {
  deleteNumbers,
  insertAuditEvents,
  insertNumbers,
  insertOutcomes,
  insertSuccessPacks,
} from "../../db/postgres/bulk-writes.js";
import type { NewAuditEvent } from "../../db/tables/audit.js";
import {
  type NewJob,
  type NewJobOutcome,
  SUCCESSES_PER_PACK,
  type SuccessEntry,
} from "../../db/tables/jobs.js";
import type { PhoneNumber } from "../../db/tables/numbers.js";
import { replaceControls } from "../../domain/text.js";
import { type LevelColumn, packText, type RunWrites } from "../../queries/run-writes.js";
import type { RunPlan } from "./run-plan.js";
import { LEVEL_COLUMNS } from "./run-record.js";

/** A number another writer added or removed while the run decided: the run starts over. */
export class AddedElsewhere extends Error {}

/** The run's writes, held (see the top of this file). */
export class HeldWrites implements RunWrites {
  /** The slice's numbers read (and locked) beforehand, less those the run removed. */
  readonly #known = new Map<string, PhoneNumber>();
  /**
   * The numbers the slice added, with their call purposes (a row each would cost a 100,000-number
   * run about 30 MiB: V8 gave every `{ ...row, id }` a hidden class of its own). Later slices
   * never ask about them: an entry repeating one is a DUPLICATE_IN_LIST (EntryReader.claim).
   */
  readonly #new = new Map<string, number>();
  /** The slice's numbers inserted before its pass (insertAndLock), each with its id; how many it added. */
  #inserted = new Map<string, number>();
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

  /** What postgres-run.ts's readAndLock found for the slice the pass decides next. */
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
   * Inserted before the pass, as a rule: its id is known. Else noted to be inserted, and 0:
   * its audit event then finds its id when written (insertAuditEvents).
   */
  add(row: Omit<PhoneNumber, "id">): number | undefined {
    if (this.isKnown(row.e164)) return undefined;
    this.#new.set(row.e164, row.call_purpose_id);
    const id = this.#inserted.get(row.e164);
    if (id !== undefined) {
      this.#insertedAdded++;
      return id;
    }
    this.#added.push({ e164: row.e164, callPurposeId: row.call_purpose_id });
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
    this.#inserted = new Map();
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
    // A number inserted as the changes are written: its id is looked up with its event (see add).
    for (const event of events) {
      if (event.action === "number.add" && event.subject_id === 0) event.subject_id = null;
    }
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
export function placeOf(plan: RunPlan, at: string) {
  const { level } = plan;
  return {
    businessId: level.business.id,
    unitId: level.unit?.id ?? null,
    programId: level.program?.id ?? null,
    at,
  };
}

/** What postgres-run.ts's readAndLock found for a slice: the numbers held already, and those it added. */
export interface SliceNumbers {
  found: PhoneNumber[];
  /** The numbers inserted, with their ids. */
  inserted: Map<string, number>;
}

/**
 * PostgreSQL refuses NUL in text. A run keeps its entries' input with controls replaced
 * already; a call purpose named in an upload ends up in a rejection's message as given.
 */
function withoutNul(row: NewJobOutcome): NewJobOutcome {
  return row.message?.includes("\u0000") ? { ...row, message: replaceControls(row.message) } : row;
}

/** Whether removeAt would remove `number`: at the level, with the call purpose if one is given. */
export function removable(
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
