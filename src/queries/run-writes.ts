/**
 * The statements of a bulk run (services/run-engine.ts), prepared once per run and run
 * synchronously on the writer's raw handle, inside the run's one transaction.
 *
 * Why not Kysely: a run makes up to 300,000 row changes (numbers, outcomes, audit events).
 * Building, compiling and awaiting each through Kysely cost more than SQLite's own work; a
 * reused prepared statement costs a few microseconds. The SQL stays here, in the queries
 * layer, and the handle can be the portal's writer or a worker thread's own connection.
 */
import type SqliteDatabase from "better-sqlite3";
import type { NewAuditEvent } from "../db/tables/audit.js";
import {
  type NewJob,
  type NewJobOutcome,
  SUCCESSES_PER_PACK,
  type SuccessEntry,
} from "../db/tables/jobs.js";
import type { PhoneNumber } from "../db/tables/numbers.js";

type Handle = SqliteDatabase.Database;

/** Where a level's numbers are: the column that holds the level's id. */
export type LevelColumn = "business_id" | "business_unit_id" | "program_id";

/** The columns of each table a run inserts into, in the order its INSERTs name them. */
const OUTCOME_COLUMNS = [
  "job_id",
  "line",
  "input",
  "e164",
  "outcome",
  "code",
  "message",
] as const satisfies ReadonlyArray<keyof NewJobOutcome>;
const AUDIT_COLUMNS = [
  "occurred_at",
  "actor_user_id",
  "actor_email",
  "actor_token_id",
  "actor_token_name",
  "action",
  "subject_type",
  "subject_id",
  "business_id",
  "business_unit_id",
  "program_id",
  "phone_number",
  "summary",
  "before_json",
  "after_json",
] as const satisfies ReadonlyArray<keyof NewAuditEvent>;
const JOB_COLUMNS = [
  "kind",
  "source",
  "user_id",
  "user_email",
  "level_kind",
  "level_id",
  "business_id",
  "business_unit_id",
  "program_id",
  "level_name",
  "total",
  "succeeded",
  "rejected",
  "created_at",
] as const satisfies ReadonlyArray<keyof NewJob>;

/** An INSERT of one row into `table`, its `columns` in that order. */
function insertRow<Row extends object>(
  handle: Handle,
  table: string,
  columns: ReadonlyArray<keyof Row & string>,
) {
  const statement = handle.prepare(
    `insert into ${table} (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`,
  );
  return (row: Row) => statement.run(columns.map((column) => row[column]));
}

/** Rows per multi-row INSERT: fewer statement runs, well under SQLite's 32,766 variables. */
const BATCH = 100;

/**
 * INSERTs of rows into `table`, BATCH rows to a statement (about a third faster than one row
 * each). `flush` writes what is still held; rows keep their order.
 */
function insertBatched<Row extends object>(
  handle: Handle,
  table: string,
  columns: ReadonlyArray<keyof Row & string>,
) {
  const tuple = `(${columns.map(() => "?").join(", ")})`;
  const many = handle.prepare(
    `insert into ${table} (${columns.join(", ")}) values ${Array(BATCH).fill(tuple).join(", ")}`,
  );
  const one = insertRow<Row>(handle, table, columns);
  let held: Row[] = [];
  return {
    add(row: Row): void {
      held.push(row);
      if (held.length < BATCH) return;
      many.run(held.flatMap((r) => columns.map((column) => r[column])));
      held = [];
    },
    flush(): void {
      for (const row of held) one(row);
      held = [];
    },
  };
}

/**
 * A job's successes, packed: SUCCESSES_PER_PACK to a job_successes row (db/tables/jobs.ts),
 * because one row per 1,000 successes costs far less than 1,000 rows and their index entries
 * (a 100,000-number run: 0.35 s). The pack being filled stays held after `flush` writes it,
 * so that a later success completes it (the row is replaced) and every pack but the last is
 * full, which is what readers count on to find an offset's pack.
 */
function successPacks(handle: Handle) {
  const write = handle.prepare(
    `insert into job_successes (job_id, pack, entries) values (?, ?, ?)
     on conflict (job_id, pack) do update set entries = excluded.entries`,
  );
  let jobId = 0;
  let pack = 0;
  let held: SuccessEntry[] = [];
  let written = true;
  const writeHeld = () => {
    write.run(jobId, pack, packText(held));
    written = true;
  };
  return {
    /** Successes from here on are this job's; the last job's are written first. */
    start(id: number): void {
      if (!written) writeHeld();
      jobId = id;
      pack = 0;
      held = [];
    },
    add(entry: SuccessEntry): void {
      held.push(entry);
      written = false;
      if (held.length < SUCCESSES_PER_PACK) return;
      writeHeld();
      pack++;
      held = [];
    },
    flush(): void {
      if (!written) writeHeld();
    },
  };
}

/** A lone UTF-16 surrogate: what cutting an entry at 300 characters can leave. */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

/**
 * The text with each lone surrogate as one U+FFFD. Bound as it is, SQLite would keep it as three
 * bytes that are not UTF-8, and Node 20 and Node 24 read those back differently (three U+FFFD,
 * or one), while JSON would keep it as `\ud83d`: written well-formed, a row and a pack read back
 * the same everywhere.
 */
const wellFormed = (text: string): string =>
  LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATES, "\ufffd") : text;

/**
 * A pack as JSON. JSON.stringify escapes only lone surrogates as `\ud…`, so a pack without
 * that text is written as it is; an entry holding the text `\ud` merely costs the second pass.
 */
export function packText(entries: SuccessEntry[]): string {
  const text = JSON.stringify(entries);
  if (!text.includes("\\ud")) return text;
  return JSON.stringify(entries.map(([line, input, e164]) => [line, wellFormed(input), e164]));
}

export interface RunWrites {
  /** Removes the number if it is at the level (and has the call purpose, when given). */
  removeAt(e164: string, levelId: number, callPurposeId: number | null): PhoneNumber | undefined;
  /** The number wherever it is, to say why it was not removed or added. */
  find(e164: string): PhoneNumber | undefined;
  /** Adds the number; undefined when the portal already holds it (nothing written). */
  add(row: Omit<PhoneNumber, "id">): number | undefined;
  /** A rejected entry's outcome. */
  outcome(row: NewJobOutcome): void;
  /** A changed number's outcome (added or removed, as the job's kind says), in line order. */
  success(line: number, input: string, e164: string): void;
  audit(row: NewAuditEvent): void;
  /** Writes what is still held (outcomes, events, a part pack): before the transaction ends. */
  flush(): void;
  /** The job row, written first so that outcomes can name it; its counts come at the end. */
  startJob(row: NewJob): number;
  finishJob(id: number, counts: { total: number; succeeded: number; rejected: number }): void;
}

export function prepareRunWrites(handle: Handle, level: LevelColumn): RunWrites {
  const removeAny = handle.prepare(
    `delete from phone_numbers where e164 = ? and ${level} = ? returning *`,
  );
  const removeWithPurpose = handle.prepare(
    `delete from phone_numbers where e164 = ? and ${level} = ? and call_purpose_id = ? returning *`,
  );
  const find = handle.prepare("select * from phone_numbers where e164 = ?");
  const add = handle.prepare(
    `insert into phone_numbers
       (e164, business_id, business_unit_id, program_id, call_purpose_id, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?)
     on conflict (e164) do nothing`,
  );
  const outcomes = insertBatched<NewJobOutcome>(handle, "job_outcomes", OUTCOME_COLUMNS);
  const successes = successPacks(handle);
  const events = insertBatched<NewAuditEvent>(handle, "audit_events", AUDIT_COLUMNS);
  const finishJob = handle.prepare(
    "update jobs set total = ?, succeeded = ?, rejected = ? where id = ?",
  );
  const startJob = insertRow<NewJob>(handle, "jobs", JOB_COLUMNS);
  return {
    removeAt: (e164, levelId, callPurposeId) =>
      (callPurposeId === null
        ? removeAny.get(e164, levelId)
        : removeWithPurpose.get(e164, levelId, callPurposeId)) as PhoneNumber | undefined,
    find: (e164) => find.get(e164) as PhoneNumber | undefined,
    // Not `returning id`: through better-sqlite3 that made each insert three times slower.
    add: (row) => {
      const { changes, lastInsertRowid } = add.run(
        row.e164,
        row.business_id,
        row.business_unit_id,
        row.program_id,
        row.call_purpose_id,
        row.created_at,
        row.updated_at,
      );
      return changes === 1 ? Number(lastInsertRowid) : undefined;
    },
    outcome: (row) =>
      outcomes.add(LONE_SURROGATE.test(row.input) ? { ...row, input: wellFormed(row.input) } : row),
    success: (line, input, e164) => successes.add([line, input, e164]),
    audit: (row) => events.add(row),
    flush: () => {
      outcomes.flush();
      successes.flush();
      events.flush();
    },
    startJob: (row) => {
      const id = Number(startJob(row).lastInsertRowid);
      successes.start(id);
      return id;
    },
    finishJob: (id, { total, succeeded, rejected }) => {
      finishJob.run(total, succeeded, rejected, id);
    },
  };
}
