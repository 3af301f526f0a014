/**
 * `npm run seed -- --numbers N` on PostgreSQL. Like writer.ts on SQLite it writes through the
 * driver rather than Kysely (the documented exception for bulk loads): the numbers go in with
 * COPY (pg-copy-streams) into a temporary table, then one INSERT … SELECT … ON CONFLICT DO
 * NOTHING per 100,000, so numbers the portal already holds are skipped, not fatal, and a
 * million rows are a few dozen statements instead of a million round trips.
 */
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { PostgresDb } from "../../../db/database.js";
import { validateDisplayName } from "../../../domain/display-name.js";
import { bulkLayout, DAY_MS, seedRandom } from "./bulk.js";
import { NumberPool } from "./number-pool.js";
import { type NumberRow, NumberRows, type SeededProgram, type SeededUnit } from "./number-rows.js";
import type { SeedCounts } from "./writer.js";

/** Numbers per COPY and INSERT: the progress step, and a temporary table that stays small. */
const BATCH = 100_000;

/** A row in COPY's text format: tab-separated, \N for null (no value here holds a tab). */
function copyLine(row: NumberRow): string {
  const value = (v: number | null) => (v === null ? "\\N" : String(v));
  return `${row.e164}\t${row.businessId}\t${value(row.unitId)}\t${value(row.programId)}\t${row.purposeId}\t${row.createdAt}\t${row.updatedAt}\n`;
}

async function copyRows(client: pg.PoolClient, rows: NumberRow[]): Promise<void> {
  const stream = client.query(
    copyFrom(
      `copy seed_numbers (e164, business_id, business_unit_id, program_id, call_purpose_id,
         created_at, updated_at) from stdin`,
    ),
  );
  // Chunks of lines, not one string of the whole batch (tens of MB) nor a write per row.
  async function* lines() {
    for (let start = 0; start < rows.length; start += 5_000) {
      yield rows
        .slice(start, start + 5_000)
        .map(copyLine)
        .join("");
    }
  }
  await pipeline(lines, stream);
}

/** Call purposes to seed with, as SeedWriter.purposes picks them on SQLite. */
async function purposes(client: pg.PoolClient) {
  const { rows } = await client.query<{ id: string; code: string | null }>(
    "select id, code from call_purposes where retired_at is null order by id",
  );
  const first = rows[0];
  if (!first) throw new Error("The portal offers no call purposes; cannot seed numbers.");
  const ids = new Map(
    rows.flatMap((row) => (row.code ? [[row.code, Number(row.id)] as const] : [])),
  );
  const byCode = (code: string): number => ids.get(code) ?? Number(first.id);
  const general = ["customer_service", "informational", "multi_use"].map(byCode);
  return { byCode, picks: { general, any: rows.map((row) => Number(row.id)) } };
}

async function insertId(client: pg.PoolClient, text: string, values: unknown[]): Promise<number> {
  const { rows } = await client.query<{ id: string }>(`${text} returning id`, values);
  return Number(rows[0]?.id);
}

export interface PostgresBulkOptions {
  numbers: number;
  seed?: number;
  now?: Date;
  onProgress?: (inserted: number, total: number) => void;
}

/**
 * Adds the bulk layout (bulk.ts: 10 businesses × 20 units × 10 programs) and `numbers` phone
 * numbers in one transaction, as seedBulk does on SQLite, then ANALYZEs the tables it filled.
 */
export async function seedBulkPostgres(
  database: PostgresDb,
  options: PostgresBulkOptions,
): Promise<SeedCounts> {
  const now = options.now ?? new Date();
  const random = seedRandom(options.seed);
  const client = await database.pool.connect();
  try {
    await client.query("begin");
    const { byCode, picks } = await purposes(client);
    const taken = new Set(
      (await client.query<{ name: string }>("select lower(name) as name from businesses")).rows.map(
        (row) => row.name,
      ),
    );
    const setUpAt = new Date(now.getTime() - 760 * DAY_MS).toISOString();
    const businesses: number[] = [];
    const units: SeededUnit[] = [];
    const programs: SeededProgram[] = [];
    for (const business of bulkLayout(now, random, taken)) {
      const businessId = await insertId(
        client,
        "insert into businesses (name, created_at, updated_at) values ($1, $2, $2)",
        [business.name, setUpAt],
      );
      businesses.push(businessId);
      for (const unitSpec of business.units) {
        const unitId = await insertId(
          client,
          "insert into business_units (business_id, name, created_at, updated_at) values ($1, $2, $3, $3)",
          [businessId, unitSpec.name, setUpAt],
        );
        units.push({ id: unitId, businessId });
        for (const program of unitSpec.programs) {
          const problem = validateDisplayName(program.displayName);
          if (problem) throw new Error(`Seed display name "${program.displayName}": ${problem}`);
          const purposeId = byCode(program.purpose);
          const id = await insertId(
            client,
            `insert into programs (business_id, business_unit_id, name, display_name,
               default_call_purpose_id, starts_on, ends_on, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
            [
              businessId,
              unitId,
              program.name,
              program.displayName,
              purposeId,
              program.duration.startsOn,
              program.duration.endsOn,
              setUpAt,
            ],
          );
          programs.push({ id, unitId, businessId, purposeId });
        }
      }
    }

    await client.query(
      `create temporary table seed_numbers (e164 text, business_id bigint, business_unit_id bigint,
         program_id bigint, call_purpose_id bigint, created_at text, updated_at text)
       on commit drop`,
    );
    const rows = new NumberRows({
      pool: new NumberPool(),
      count: options.numbers,
      placements: { businesses, units, programs },
      programShare: 0.8,
      unitShare: 0.12,
      purposes: picks,
      random,
      now,
    });
    let inserted = 0;
    let skipped = 0;
    while (inserted < options.numbers) {
      const batch: NumberRow[] = [];
      const size = Math.min(BATCH, options.numbers - inserted);
      for (let i = 0; i < size; i++) batch.push(rows.next(inserted + i));
      await copyRows(client, batch);
      // In the order generated, so ids rise with created_at as they do on SQLite.
      const result = await client.query(
        `insert into phone_numbers (e164, business_id, business_unit_id, program_id,
           call_purpose_id, created_at, updated_at)
         select e164, business_id, business_unit_id, program_id, call_purpose_id, created_at,
           updated_at
         from seed_numbers order by created_at
         on conflict (e164) do nothing`,
      );
      await client.query("truncate seed_numbers");
      const added = result.rowCount ?? 0;
      inserted += added;
      skipped += size - added;
      options.onProgress?.(inserted, options.numbers);
    }

    const counts: SeedCounts = {
      businesses: businesses.length,
      units: units.length,
      programs: programs.length,
      numbers: inserted,
      skippedExisting: skipped,
    };
    await recordRun(client, counts, now.toISOString());
    await client.query("commit");
    // Fresh planner statistics now, rather than whenever autovacuum comes round to it.
    await client.query("analyze businesses, business_units, programs, phone_numbers");
    return counts;
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The seed.run audit event, as SeedWriter.recordRun writes it on SQLite. */
async function recordRun(client: pg.PoolClient, counts: SeedCounts, at: string): Promise<void> {
  const { rows } = await client.query<{ id: string; email: string }>(
    "select id, email from users where role = 'portal_admin' order by id limit 1",
  );
  const admin = rows[0];
  const n = (value: number) => value.toLocaleString("en-US");
  const summary =
    `Seeded bulk data: ${n(counts.businesses)} businesses, ${n(counts.units)} business units, ` +
    `${n(counts.programs)} programs, ${n(counts.numbers)} phone numbers`;
  await client.query(
    `insert into audit_events (occurred_at, actor_user_id, actor_email, action, subject_type,
       subject_id, business_id, business_unit_id, program_id, phone_number, summary,
       before_json, after_json)
     values ($1, $2, $3, 'seed.run', 'seed', null, null, null, null, null, $4, null, $5)`,
    [
      at,
      admin ? Number(admin.id) : null,
      admin?.email ?? "seed",
      summary,
      JSON.stringify({ mode: "bulk", ...counts }),
    ],
  );
}

/** The database's size on the server, as SQLite's file size is reported. */
export async function postgresDatabaseBytes(database: PostgresDb): Promise<number> {
  const { rows } = await database.pool.query<{ bytes: string }>(
    "select pg_database_size(current_database()) as bytes",
  );
  return Number(rows[0]?.bytes ?? 0);
}
