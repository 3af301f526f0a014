/**
 * The bulk half's ground (issue 5; bulk-half.ts runs it): which 100,000 numbers are deleted
 * and added back, and the floor each upload is compared with, measured in this process:
 * parsing and validating the lines with libphonenumber-js itself (no checks of ours, no
 * formatting) plus the raw better-sqlite3 delete (or insert) of the rows in one transaction.
 */
import { copyFile, rm } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import { parsePhoneNumberWithError } from "libphonenumber-js/max";
import pg from "pg";
import { createDb } from "../src/db/database.js";
import { parseDatabaseUrl } from "../src/db/database-url.js";
import { openBulkWriter } from "../src/db/sqlite/sqlite.js";

/** An upload holds at most MAX_ENTRIES (100,000) numbers: the bench sends a full one. */
const BULK_NUMBERS = 100_000;

/** The targets for one 100,000-number upload. */
export const BULK_GOALS = {
  /** A run may take at most this multiple of its floor. */
  maxShareOfFloor: 1.5,
  /** …and at most this many seconds, end to end. */
  maxSeconds: 3,
  /** The unit dashboard's p99 latency while an upload runs, in ms (10 connections). */
  maxDashboardP99Ms: 200,
  /** Peak resident memory of the server, in MiB. */
  maxPeakRssMiB: 400,
};

export const BULK_CONNECTIONS = 10;
/** Dashboard load before the upload is sent, so its connections are open and warm. */
export const LEAD_IN_MS = 1_000;

export interface BulkPlan {
  /** Where the numbers are deleted: the business with the most numbers. */
  business: { id: number; numbers: number };
  /** Where they are added back (its dashboard is loaded during both uploads). */
  unit: { id: number; numbers: number };
  purpose: { id: number; name: string };
  /** The business's first 100,000 numbers by id, E.164. */
  numbers: string[];
}

/**
 * Delete is per level, so the 100,000 numbers are one business's (the one with the most, as
 * no unit holds that many); they are then added back at that business's largest unit, which
 * makes them new, valid numbers known not to be in the database once the delete has run.
 */
export async function pickBulkPlan(databaseUrl: string): Promise<BulkPlan> {
  const database = createDb(databaseUrl);
  const rows = async <T>(query: ReturnType<typeof sql<T>>) =>
    (await query.execute(database.db)).rows;
  try {
    const [business] = await rows<{ id: number; numbers: number }>(sql`
      select business_id as id, count(*) as numbers from phone_numbers
      group by business_id order by count(*) desc, business_id limit 1`);
    if (!business || business.numbers < BULK_NUMBERS) {
      throw new Error(
        `No business has ${BULK_NUMBERS.toLocaleString("en-US")} numbers to delete ` +
          `(the largest has ${(business?.numbers ?? 0).toLocaleString("en-US")}).`,
      );
    }
    const [unit] = await rows<{ id: number; numbers: number }>(sql`
      select business_unit_id as id, count(*) as numbers from phone_numbers
      where business_id = ${business.id} and business_unit_id is not null
      group by business_unit_id order by count(*) desc, business_unit_id limit 1`);
    if (!unit) throw new Error(`Business ${business.id} has no units with numbers.`);
    const [purpose] = await rows<{ id: number; name: string }>(
      sql`select id, name from call_purposes where retired_at is null order by id limit 1`,
    );
    if (!purpose) throw new Error("The bench database has no active call purpose.");
    const numbers = await rows<{ e164: string }>(sql`
      select e164 from phone_numbers where business_id = ${business.id}
      order by id limit ${BULK_NUMBERS}`);
    return { business, unit, purpose, numbers: numbers.map((row) => row.e164) };
  } finally {
    await database.close();
  }
}

/** The upload file: the header the Upload tab documents, then one number a line. */
export const csvOf = (numbers: string[]): string => `phone_number\n${numbers.join("\n")}\n`;

/** How many of `numbers` the database holds (read beside the running server). */
export async function countPresent(databaseUrl: string, numbers: string[]): Promise<number> {
  const database = createDb(databaseUrl);
  try {
    let present = 0;
    for (let start = 0; start < numbers.length; start += 10_000) {
      const part = numbers.slice(start, start + 10_000);
      const found = await database.db
        .selectFrom("phone_numbers")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("e164", "in", part)
        .executeTakeFirst();
      present += Number(found?.n ?? 0);
    }
    return present;
  } finally {
    await database.close();
  }
}

export interface Floor {
  /** libphonenumber-js parse + isValid over the file's lines, best of 3 passes. */
  parseSeconds: number;
  /** The raw delete of the rows in one transaction (prepared statement). */
  deleteSeconds: number;
  /** The raw insert of the same rows at the unit, in one transaction. */
  insertSeconds: number;
  /** Lines libphonenumber-js/max found valid; all of them, or the plan is wrong. */
  validLines: number;
}

/** The least validation there is: libphonenumber-js's own, with full metadata. */
function validByLibrary(line: string): boolean {
  try {
    return parsePhoneNumberWithError(line, { extract: false }).isValid();
  } catch {
    return false;
  }
}

const since = (start: number) => (performance.now() - start) / 1000;

/**
 * The least any implementation could take: the parse every upload needs and the bare row
 * changes, with no job, outcomes or audit events. Measured on a copy of the database, opened
 * as the upload workers open theirs (the portal's pragmas: WAL, synchronous = FULL, foreign
 * keys; and the same page cache), before the server starts so that nothing competes for CPU.
 */
export async function measureFloor(
  databaseUrl: string,
  copy: string,
  plan: BulkPlan,
): Promise<Floor> {
  const lines = csvOf(plan.numbers).split("\n").slice(1, -1);
  let parseSeconds = Number.POSITIVE_INFINITY;
  let validLines = 0;
  for (let pass = 0; pass < 3; pass++) {
    const start = performance.now();
    let valid = 0;
    for (const line of lines) if (validByLibrary(line)) valid++;
    parseSeconds = Math.min(parseSeconds, since(start));
    validLines = valid;
  }

  const rows =
    parseDatabaseUrl(databaseUrl).kind === "postgres"
      ? await postgresFloor(databaseUrl, plan)
      : await sqliteFloor(databaseUrl, copy, plan);
  return { parseSeconds, validLines, ...rows };
}

/**
 * PostgreSQL's raw delete and insert, each one set-based statement (as a run's are) in a
 * transaction rolled back afterwards, so the database is left as it was.
 */
async function postgresFloor(databaseUrl: string, plan: BulkPlan) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("begin");
    let start = performance.now();
    const removed = await client.query("delete from phone_numbers where e164 = any($1::text[])", [
      plan.numbers,
    ]);
    const deleteSeconds = since(start);
    const now = new Date().toISOString();
    start = performance.now();
    await client.query(
      `insert into phone_numbers
         (e164, business_id, business_unit_id, program_id, call_purpose_id, created_at, updated_at)
       select e164, $2, $3, null, $4, $5, $5 from unnest($1::text[]) as n(e164)`,
      [plan.numbers, plan.business.id, plan.unit.id, plan.purpose.id, now],
    );
    const insertSeconds = since(start);
    await client.query("rollback");
    if (removed.rowCount !== plan.numbers.length) {
      throw new Error(
        `The floor's delete removed ${removed.rowCount} rows, not ${plan.numbers.length}.`,
      );
    }
    return { deleteSeconds, insertSeconds };
  } finally {
    await client.end();
  }
}

async function sqliteFloor(databaseFile: string, copy: string, plan: BulkPlan) {
  await copyFile(databaseFile, copy);
  // Opened as an upload worker opens its connection: the same pragmas and page cache.
  const handle = openBulkWriter(copy);
  try {
    const remove = handle.prepare("delete from phone_numbers where e164 = ?");
    const insert = handle.prepare(
      `insert into phone_numbers
         (e164, business_id, business_unit_id, program_id, call_purpose_id, created_at, updated_at)
       values (?, ?, ?, null, ?, ?, ?)`,
    );
    let start = performance.now();
    const removed = handle.transaction(() => {
      let changes = 0;
      for (const e164 of plan.numbers) changes += remove.run(e164).changes;
      return changes;
    })();
    const deleteSeconds = since(start);
    const now = new Date().toISOString();
    start = performance.now();
    handle.transaction(() => {
      for (const e164 of plan.numbers) {
        insert.run(e164, plan.business.id, plan.unit.id, plan.purpose.id, now, now);
      }
    })();
    const insertSeconds = since(start);
    if (removed !== plan.numbers.length) {
      throw new Error(`The floor's delete removed ${removed} rows, not ${plan.numbers.length}.`);
    }
    return { deleteSeconds, insertSeconds };
  } finally {
    handle.close();
    for (const suffix of ["", "-wal", "-shm"]) await rm(`${copy}${suffix}`, { force: true });
  }
}
