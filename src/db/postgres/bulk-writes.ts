/**
 * A bulk run's statements on PostgreSQL (services/runs/postgres-run.ts): set-based, a whole
 * column of values to a statement through `unnest` of arrays, never one statement per number.
 * A 100,000-number run is a handful of statements in one transaction instead of 300,000
 * round trips to a server that may be across a network.
 */
import { type Kysely, sql } from "kysely";
import type { NewAuditEvent } from "../tables/audit.js";
import type { NewJobOutcome } from "../tables/jobs.js";
import type { PhoneNumber } from "../tables/numbers.js";

/** Rows to a statement: keeps each message a few MiB at most (audit events carry JSON). */
const CHUNK = 10_000;

/** An element that must be escaped inside a quoted array element. */
const ESCAPED = /["\\]/;

/**
 * The array literal PostgreSQL reads for `$1::text[]` (or `::bigint[]`): every element quoted,
 * null as NULL. Built in one pass here, where pg's own serialisation of a JS array escaped each
 * element with two regular expressions: 1.5 million elements for a 100,000-number run's audit
 * events, about 0.7 s of the upload worker's CPU.
 */
function arrayLiteral(values: ReadonlyArray<string | number | bigint | null | undefined>) {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) parts[i] = "NULL";
    else if (typeof value !== "string") parts[i] = String(value);
    else parts[i] = `"${ESCAPED.test(value) ? value.replace(/["\\]/g, "\\$&") : value}"`;
  }
  return `{${parts.join(",")}}`;
}

/** `rows` in statements of at most CHUNK; none for no rows. */
function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < rows.length; start += CHUNK)
    out.push(rows.slice(start, start + CHUNK));
  return out;
}

/**
 * The numbers among `e164s` that the portal holds, locked until the run commits (FOR UPDATE):
 * another instance's removal or edit of one of them waits, so what the run decides from
 * them stays true. Locked in e164 order, as every run locks them, so two runs never deadlock.
 */
export async function lockNumbers<DB>(trx: Kysely<DB>, e164s: string[]): Promise<PhoneNumber[]> {
  const found: PhoneNumber[] = [];
  for (const part of chunks([...e164s].sort())) {
    const { rows } = await sql<PhoneNumber>`
      select * from phone_numbers where e164 = any(${arrayLiteral(part)}::text[]) order by e164 for update
    `.execute(trx);
    found.push(...rows);
  }
  return found;
}

/**
 * New numbers at one place, each with its call purpose, in the order given; returns the ids of
 * those inserted (not of those the portal holds already), by number, so that their audit
 * events name them without looking each up again (a run inserts at most a slice at a time).
 */
export async function insertNumbers<DB>(
  trx: Kysely<DB>,
  place: { businessId: number; unitId: number | null; programId: number | null; at: string },
  numbers: Array<{ e164: string; callPurposeId: number }>,
): Promise<Map<string, number>> {
  const inserted = new Map<string, number>();
  for (const part of chunks(numbers)) {
    const { rows } = await sql<{ id: number; e164: string }>`
      insert into phone_numbers
        (e164, business_id, business_unit_id, program_id, call_purpose_id, created_at, updated_at)
      select n.e164, ${place.businessId}::bigint, ${place.unitId}::bigint, ${place.programId}::bigint,
        n.purpose, ${place.at}, ${place.at}
      from unnest(${arrayLiteral(part.map((n) => n.e164))}::text[],
          ${arrayLiteral(part.map((n) => n.callPurposeId))}::bigint[])
        with ordinality as n(e164, purpose, position)
      order by n.position
      on conflict (e164) do nothing
      returning id, e164
    `.execute(trx);
    for (const row of rows) inserted.set(row.e164, Number(row.id));
  }
  return inserted;
}

/** Deletes numbers the run holds locked: each must be there, or the run is rolled back. */
export async function deleteNumbers<DB>(trx: Kysely<DB>, ids: number[]): Promise<void> {
  for (const part of chunks(ids)) {
    const result =
      await sql`delete from phone_numbers where id = any(${arrayLiteral(part)}::bigint[])`.execute(
        trx,
      );
    // The job's counts must equal the rows changed; a number gone from under the run's lock
    // would break that, so it stops the run instead of being counted as removed.
    if (Number(result.numAffectedRows ?? 0) !== part.length) {
      throw new Error(`a run removed ${result.numAffectedRows} of ${part.length} locked numbers`);
    }
  }
}

export async function insertOutcomes<DB>(trx: Kysely<DB>, rows: NewJobOutcome[]): Promise<void> {
  for (const part of chunks(rows)) {
    const column = <K extends keyof NewJobOutcome>(key: K) =>
      arrayLiteral(part.map((row) => row[key] ?? null));
    await sql`
      insert into job_outcomes (job_id, line, input, e164, outcome, code, message)
      select * from unnest(
        ${column("job_id")}::bigint[], ${column("line")}::bigint[], ${column("input")}::text[],
        ${column("e164")}::text[], ${column("outcome")}::text[], ${column("code")}::text[],
        ${column("message")}::text[]
      )
    `.execute(trx);
  }
}

/** A job's success packs (db/tables/jobs.ts), numbered from `first`. */
export async function insertSuccessPacks<DB>(
  trx: Kysely<DB>,
  jobId: number,
  first: number,
  packs: string[],
): Promise<void> {
  for (let start = 0; start < packs.length; start += 100) {
    await sql`
      insert into job_successes (job_id, pack, entries)
      select ${jobId}::bigint, ${first + start}::bigint + p.position - 1, p.entries
      from unnest(${arrayLiteral(packs.slice(start, start + 100))}::text[]) with ordinality as p(entries, position)
    `.execute(trx);
  }
}

/**
 * Audit events, in the order given (ids follow it). A phone number's event without a subject
 * id (a number the run inserted as it wrote its changes, not before its pass) gets the id of
 * the number it names: looked up only for those (coalesce evaluates the lookup only when the
 * id is null), where a join probed the numbers' index for every event, a removal's too.
 */
export async function insertAuditEvents<DB>(trx: Kysely<DB>, rows: NewAuditEvent[]): Promise<void> {
  for (const part of chunks(rows)) {
    const column = <K extends keyof NewAuditEvent>(key: K) =>
      arrayLiteral(part.map((row) => row[key] ?? null));
    await sql`
      insert into audit_events (occurred_at, actor_user_id, actor_email, actor_token_id,
        actor_token_name, action, subject_type, subject_id, business_id, business_unit_id,
        program_id, phone_number, summary, before_json, after_json)
      select e.occurred_at, e.actor_user_id, e.actor_email, e.actor_token_id, e.actor_token_name,
        e.action, e.subject_type,
        coalesce(e.subject_id, (select n.id from phone_numbers n
          where e.subject_type = 'phone_number' and n.e164 = e.phone_number)),
        e.business_id, e.business_unit_id,
        e.program_id, e.phone_number, e.summary, e.before_json, e.after_json
      from unnest(
        ${column("occurred_at")}::text[], ${column("actor_user_id")}::bigint[],
        ${column("actor_email")}::text[], ${column("actor_token_id")}::bigint[],
        ${column("actor_token_name")}::text[], ${column("action")}::text[],
        ${column("subject_type")}::text[], ${column("subject_id")}::bigint[],
        ${column("business_id")}::bigint[], ${column("business_unit_id")}::bigint[],
        ${column("program_id")}::bigint[], ${column("phone_number")}::text[],
        ${column("summary")}::text[], ${column("before_json")}::text[], ${column("after_json")}::text[]
      ) with ordinality as e(occurred_at, actor_user_id, actor_email, actor_token_id,
        actor_token_name, action, subject_type, subject_id, business_id, business_unit_id,
        program_id, phone_number, summary, before_json, after_json, position)
      order by e.position
    `.execute(trx);
  }
}
