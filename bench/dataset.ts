import { existsSync } from "node:fs";
import { copyFile, mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { performance } from "node:perf_hooks";
import type BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import { migrations } from "../migrations/index.js";
import { createDb, createSqliteDb } from "../src/db/database.js";
import { migrateToLatest } from "../src/db/migrate.js";
import { SqliteDatabase } from "../src/db/sqlite/native.js";
import { PAGE_SIZE } from "../src/services/numbers/dashboard.js";
import { BULK_SHAPE, seedBulk } from "../src/services/ops/seed/bulk.js";
import { checkpointAndMeasure } from "../src/services/ops/seed/writer.js";

export const BENCH_NUMBERS = 1_000_000;
/** Fixed, so two fresh seeds on the same day measure the same data set. */
export const BENCH_SEED = 20_261_127;

const EXPECTED = {
  businesses: BULK_SHAPE.businesses,
  units: BULK_SHAPE.businesses * BULK_SHAPE.unitsPerBusiness,
  programs: BULK_SHAPE.businesses * BULK_SHAPE.unitsPerBusiness * BULK_SHAPE.programsPerUnit,
  numbers: BENCH_NUMBERS,
};

export interface PreparedDatabase {
  source: "cache" | "seed";
  /** Why the cache was not used (null when it was). */
  cacheMiss: string | null;
  /** Seeding time; null when the cached copy was used. */
  seedSeconds: number | null;
  copySeconds: number | null;
  analyzeSeconds: number;
  /** 0 = ANALYZE read every row; otherwise the rows it sampled per index. */
  analysisLimit: number;
  bytes: number;
}

async function removeDatabase(file: string): Promise<void> {
  for (const suffix of ["", "-wal", "-shm"]) await rm(`${file}${suffix}`, { force: true });
}

const seconds = (since: number): number => (performance.now() - since) / 1000;

/**
 * Why a copy of the cached database cannot stand in for a fresh seed, or null when it can.
 * Checked on the copy: even a read-only open of a WAL database leaves -shm and -wal files
 * beside it, and the cache should only ever be read whole.
 */
function cacheProblem(file: string): string | null {
  let handle: BetterSqlite3.Database | null = null;
  try {
    handle = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
    const applied = handle
      .prepare("select name from kysely_migration order by name")
      .pluck()
      .all() as string[];
    if (applied.join("\n") !== Object.keys(migrations).sort().join("\n")) {
      return "its schema is not current";
    }
    const counts = handle
      .prepare(
        `select (select count(*) from businesses) as businesses,
           (select count(*) from business_units) as units,
           (select count(*) from programs) as programs,
           (select count(*) from phone_numbers) as numbers,
           (select count(*) from users) as users`,
      )
      .get() as typeof EXPECTED & { users: number };
    const shapeMatches = (Object.keys(EXPECTED) as Array<keyof typeof EXPECTED>).every(
      (key) => counts[key] === EXPECTED[key],
    );
    // A user in the file would stop ADMIN_EMAIL/ADMIN_PASSWORD from creating the bench's admin.
    if (!shapeMatches || counts.users !== 0) return "its data is not the bench's data set";
    return null;
  } catch (error) {
    return `it cannot be read (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    handle?.close();
  }
}

async function seedFresh(file: string, log: (line: string) => void): Promise<number> {
  const database = createSqliteDb(file);
  try {
    await migrateToLatest(database);
    const started = performance.now();
    seedBulk(database, {
      numbers: BENCH_NUMBERS,
      seed: BENCH_SEED,
      onProgress: (inserted, total) => {
        if (inserted % 250_000 === 0 || inserted === total) {
          log(`  ${inserted.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} numbers`);
        }
      },
    });
    const took = seconds(started);
    checkpointAndMeasure(database.handle);
    return took;
  } finally {
    await database.close();
  }
}

/**
 * Fresh statistics for the query planner, then the log folded in so the file stands alone.
 * The connection is opened as the portal opens its own, so ANALYZE samples as the portal's
 * would (analysis_limit): exact statistics the portal never gathers would flatter it.
 */
async function analyze(
  file: string,
): Promise<{ seconds: number; bytes: number; analysisLimit: number }> {
  const database = createSqliteDb(file);
  try {
    const analysisLimit = Number(database.handle.pragma("analysis_limit", { simple: true }));
    const started = performance.now();
    database.handle.exec("ANALYZE");
    database.handle.pragma("optimize");
    const took = seconds(started);
    return { seconds: took, bytes: checkpointAndMeasure(database.handle), analysisLimit };
  } finally {
    await database.close();
  }
}

const analyzed = (a: { seconds: number; analysisLimit: number }): string =>
  `ANALYZE + PRAGMA optimize took ${a.seconds.toFixed(1)} s (analysis_limit ` +
  `${a.analysisLimit === 0 ? "0: exact" : `${a.analysisLimit}: sampled`}).`;

/**
 * Puts the bench's 1,000,000-number database at `file`: a copy of the cache when it is
 * current, else a fresh seed that then replaces the cache. Written to a temporary name and
 * renamed, so a bench stopped half-way never leaves a truncated cache behind.
 */
export async function prepareDatabase(
  file: string,
  cacheFile: string,
  log: (line: string) => void,
): Promise<PreparedDatabase> {
  let cacheMiss: string | null = "no cached copy";
  let copySeconds: number | null = null;
  if (existsSync(cacheFile)) {
    const started = performance.now();
    await copyFile(cacheFile, file);
    copySeconds = seconds(started);
    cacheMiss = cacheProblem(file);
    if (cacheMiss !== null) await removeDatabase(file);
  }
  if (cacheMiss === null) {
    log(`Copied the cached database ${cacheFile} in ${copySeconds?.toFixed(1)} s.`);
    const stats = await analyze(file);
    log(analyzed(stats));
    return {
      source: "cache",
      cacheMiss,
      seedSeconds: null,
      copySeconds,
      analyzeSeconds: stats.seconds,
      analysisLimit: stats.analysisLimit,
      bytes: stats.bytes,
    };
  }

  log(`Seeding ${BENCH_NUMBERS.toLocaleString("en-US")} numbers (cache not used: ${cacheMiss})…`);
  const seedSeconds = await seedFresh(file, log);
  log(`Seeded in ${seedSeconds.toFixed(1)} s.`);
  const stats = await analyze(file);
  log(analyzed(stats));
  await mkdir(dirname(cacheFile), { recursive: true });
  const partial = `${cacheFile}.${process.pid}.partial`;
  try {
    await copyFile(file, partial);
    // A log left beside the old cache must not be replayed into the new one.
    await removeDatabase(cacheFile);
    await rename(partial, cacheFile);
    log(`Cached it as ${cacheFile} for the next run.`);
  } catch (error) {
    // The bench can still run; only the next one will seed again.
    await rm(partial, { force: true });
    log(`Could not cache the database: ${error instanceof Error ? error.message : error}`);
  }
  return {
    source: "seed",
    cacheMiss,
    seedSeconds,
    copySeconds: null,
    analyzeSeconds: stats.seconds,
    analysisLimit: stats.analysisLimit,
    bytes: stats.bytes,
  };
}

export interface Targets {
  unit: { id: number; numbers: number; lastPage: number };
  business: { id: number; numbers: number };
  number: { id: number; e164: string };
  purpose: { id: number; name: string; numbers: number };
  digits: { text: string; matches: number };
}

/**
 * What the bench asks for, chosen from the data rather than hard-coded ids so any seed works:
 * the unit closest to 5,000 numbers, the business closest to 100,000, a number in it, a
 * call purpose and a 4-digit run that its numbers really have.
 */
export async function pickTargets(databaseUrl: string): Promise<Targets> {
  const database = createDb(databaseUrl);
  // count(*) arrives as a number from either database (db/postgres/ reads int8 as numbers).
  const rows = async <T>(query: ReturnType<typeof sql<T>>) =>
    (await query.execute(database.db)).rows;
  try {
    const closest = async (column: "business_unit_id" | "business_id", size: number) =>
      (
        await rows<{ id: number; numbers: number }>(sql`
          select ${sql.ref(column)} as id, count(*) as numbers from phone_numbers
          where ${sql.ref(column)} is not null group by ${sql.ref(column)}
          order by abs(count(*) - ${size}), ${sql.ref(column)} limit 1`)
      )[0];
    const unit = await closest("business_unit_id", 5_000);
    const business = await closest("business_id", 100_000);
    if (!unit || !business) throw new Error("The bench database has no numbers.");

    // The middle number by id: neither the newest nor the oldest, nothing a cache favours.
    const [number] = await rows<{ id: number; e164: string }>(sql`
      select id, e164 from phone_numbers where business_id = ${business.id}
      order by id limit 1 offset ${Math.floor(business.numbers / 2)}`);
    if (!number) throw new Error("The bench business has no middle number.");

    // The business's second most common purpose: a filter that keeps a real share of the
    // numbers without being the near-unfiltered case of the most common one.
    const purposes = await rows<{ id: number; name: string; numbers: number }>(sql`
      select p.id, p.name, count(*) as numbers from phone_numbers n
      join call_purposes p on p.id = n.call_purpose_id
      where n.business_id = ${business.id} group by p.id, p.name order by count(*) desc, p.id`);
    const purpose = purposes[1] ?? purposes[0];
    if (!purpose) throw new Error("The bench business has no call purposes in use.");

    // Digits 6–9 of the number (country code first): a run inside the exchange and line.
    const text = number.e164.replace(/\D/g, "").slice(5, 9);
    const [matched] = await rows<{ n: number }>(sql`
      select count(*) as n from phone_numbers
      where business_id = ${business.id} and e164 like ${`%${text}%`}`);

    return {
      unit: { ...unit, lastPage: Math.max(1, Math.ceil(unit.numbers / PAGE_SIZE)) },
      business,
      number,
      purpose,
      digits: { text, matches: Number(matched?.n ?? 0) },
    };
  } finally {
    await database.close();
  }
}
