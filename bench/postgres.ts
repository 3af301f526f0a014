/**
 * The bench's PostgreSQL database (`--db postgres`): BENCH_DATABASE_URL when given (an empty
 * database the bench may fill: it refuses one that already holds numbers or users), else a
 * database on the throwaway cluster of test/helpers/pg-cluster.sh, started on the bench's own
 * port (BENCH_PG_PORT, default 54339) so it never touches a test run's cluster. On that
 * cluster the seeded data set is kept as a template database and each run works on a copy
 * (CREATE DATABASE … TEMPLATE), dropped at the end, as the SQLite half copies its cached file.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { migrationsFor } from "../migrations/index.js";
import { createDb, type PostgresDb } from "../src/db/database.js";
import { migrateToLatest } from "../src/db/migrate.js";
import { PROJECT_ROOT } from "../src/paths.js";
import { BULK_SHAPE } from "../src/services/ops/seed/bulk.js";
import { postgresDatabaseBytes, seedBulkPostgres } from "../src/services/ops/seed/postgres-seed.js";
import { BENCH_NUMBERS, BENCH_SEED, type PreparedDatabase } from "./dataset.js";

const CLUSTER_SCRIPT = join(PROJECT_ROOT, "test", "helpers", "pg-cluster.sh");
const CACHE = "numberdesk_bench_cache";
const RUN = `numberdesk_bench_run_${process.pid}`;

const seconds = (since: number): number => (performance.now() - since) / 1000;

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Why the database at `url` is not the bench's current data set, or null when it is. */
async function cacheProblem(url: string): Promise<string | null> {
  return onServer(url, async (client) => {
    const applied = await client
      .query<{ name: string }>("select name from kysely_migration order by name")
      .catch(() => null);
    if (!applied) return "it has no migrations";
    const expected = Object.keys(migrationsFor("postgres")).sort().join("\n");
    if (applied.rows.map((row) => row.name).join("\n") !== expected) {
      return "its schema is not current";
    }
    const { rows } = await client.query(
      `select (select count(*) from businesses)::int as businesses,
         (select count(*) from business_units)::int as units,
         (select count(*) from programs)::int as programs,
         (select count(*) from phone_numbers)::int as numbers,
         (select count(*) from users)::int as users`,
    );
    const counts = rows[0];
    const shape =
      counts.businesses === BULK_SHAPE.businesses &&
      counts.units === BULK_SHAPE.businesses * BULK_SHAPE.unitsPerBusiness &&
      counts.numbers === BENCH_NUMBERS;
    return shape && counts.users === 0 ? null : "its data is not the bench's data set";
  });
}

/** Migrates and seeds the (empty) database at `url` with the bench's 1,000,000 numbers. */
async function seedInto(url: string, log: (line: string) => void): Promise<number> {
  const database = createDb(url) as PostgresDb;
  try {
    await migrateToLatest(database);
    const started = performance.now();
    await seedBulkPostgres(database, {
      numbers: BENCH_NUMBERS,
      seed: BENCH_SEED,
      onProgress: (inserted, total) => {
        if (inserted % 250_000 === 0 || inserted === total) {
          log(`  ${inserted.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} numbers`);
        }
      },
    });
    return seconds(started);
  } finally {
    await database.close();
  }
}

async function sizeOf(url: string): Promise<number> {
  const database = createDb(url) as PostgresDb;
  try {
    return await postgresDatabaseBytes(database);
  } finally {
    await database.close();
  }
}

export interface PostgresBench {
  url: string;
  prepared: PreparedDatabase;
  /** Drops the run's copy (nothing when BENCH_DATABASE_URL was given). */
  drop(): Promise<void>;
}

export async function preparePostgres(log: (line: string) => void): Promise<PostgresBench> {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) {
    const problem = await onServer(given, async (client) => {
      const { rows } = await client.query(
        `select to_regclass('phone_numbers') is not null and
           (exists (select 1 from phone_numbers) or exists (select 1 from users)) as filled`,
      );
      return rows[0]?.filled ? "it already holds numbers or users" : null;
    });
    if (problem) {
      throw new Error(`BENCH_DATABASE_URL must name an empty database for the bench: ${problem}.`);
    }
    log("Seeding 1,000,000 numbers into BENCH_DATABASE_URL…");
    const seedSeconds = await seedInto(given, log);
    log(`Seeded in ${seedSeconds.toFixed(1)} s.`);
    return {
      url: given,
      prepared: {
        source: "seed",
        cacheMiss: "BENCH_DATABASE_URL",
        seedSeconds,
        copySeconds: null,
        analyzeSeconds: 0,
        analysisLimit: 0,
        bytes: await sizeOf(given),
      },
      drop: async () => {},
    };
  }

  const server = execFileSync(CLUSTER_SCRIPT, {
    encoding: "utf8",
    env: { ...process.env, TEST_PG_PORT: process.env.BENCH_PG_PORT ?? "54339", TEST_PG_URL: "" },
  }).trim();
  log(`PostgreSQL: the throwaway cluster at ${server}.`);
  const cacheUrl = withDatabase(server, CACHE);
  const exists = await onServer(server, async (client) => {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [
      CACHE,
    ]);
    return (rowCount ?? 0) > 0;
  });
  const cacheMiss: string | null = exists ? await cacheProblem(cacheUrl) : "no cached database";
  let seedSeconds: number | null = null;
  if (cacheMiss !== null) {
    log(`Seeding ${BENCH_NUMBERS.toLocaleString("en-US")} numbers (cache not used: ${cacheMiss})…`);
    await onServer(server, async (client) => {
      await client.query(`drop database if exists ${CACHE} with (force)`);
      await client.query(`create database ${CACHE} template template0 encoding 'UTF8' locale 'C'`);
    });
    seedSeconds = await seedInto(cacheUrl, log);
    log(`Seeded in ${seedSeconds.toFixed(1)} s; kept as ${CACHE} for the next run.`);
  }
  const started = performance.now();
  await onServer(server, (client) =>
    client.query(`create database ${RUN} template ${CACHE}`).then(() => {}),
  );
  const copySeconds = seconds(started);
  const url = withDatabase(server, RUN);
  log(`Copied ${CACHE} to ${RUN} in ${copySeconds.toFixed(1)} s.`);
  const analyzed = performance.now();
  await onServer(url, (client) => client.query("analyze").then(() => {}));
  const analyzeSeconds = seconds(analyzed);
  return {
    url,
    prepared: {
      source: seedSeconds === null ? "cache" : "seed",
      cacheMiss,
      seedSeconds,
      copySeconds,
      analyzeSeconds,
      analysisLimit: 0,
      bytes: await sizeOf(url),
    },
    drop: () =>
      onServer(server, (client) =>
        client.query(`drop database if exists ${RUN} with (force)`).then(() => {}),
      ),
  };
}
