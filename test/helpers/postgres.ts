/**
 * PostgreSQL for the tests: the throwaway cluster (pg-cluster.sh, started if TEST_PG_URL does
 * not answer) and a fresh database per test file, copied from a migrated template
 * (CREATE DATABASE … TEMPLATE), so no file pays for the migrations or sees another's rows.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { migrationsFor } from "../../migrations/index.js";
import { createDb } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";

const CLUSTER_SCRIPT = fileURLToPath(new URL("./pg-cluster.sh", import.meta.url));

/** True when this run of the suite is the PostgreSQL lane (NUMBERDESK_TEST_DB=postgres). */
export const onPostgres = process.env.NUMBERDESK_TEST_DB === "postgres";

let serverUrl: string | null = null;

/** The URL of the cluster's maintenance database, starting the cluster if it is not running. */
export function testCluster(): string {
  serverUrl ??= execFileSync(CLUSTER_SCRIPT, { encoding: "utf8" }).trim();
  return serverUrl;
}

/** The same server, another database. */
function urlOf(database: string): string {
  const url = new URL(testCluster());
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testCluster() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Named after the migrations it holds, so a new migration gets a new template. */
const TEMPLATE = `numberdesk_template_${createHash("sha256")
  .update(Object.keys(migrationsFor("postgres")).join("\n"))
  .digest("hex")
  .slice(0, 12)}`;

/** Any number no other lock in the portal uses: guards building the template. */
const TEMPLATE_LOCK = 0x4e_44_54_50;

let templateReady: Promise<void> | null = null;

/** Creates and migrates the template once per cluster (other files wait on the lock). */
function ensureTemplate(): Promise<void> {
  templateReady ??= onServer(async (client) => {
    await client.query("select pg_advisory_lock($1)", [TEMPLATE_LOCK]);
    try {
      const found = await client.query("select 1 from pg_database where datname = $1", [TEMPLATE]);
      if (found.rowCount) return;
      await client.query(
        `create database ${TEMPLATE} template template0 encoding 'UTF8' locale 'C'`,
      );
      const database = createDb(urlOf(TEMPLATE));
      try {
        await migrateToLatest(database);
      } catch (error) {
        await database.close();
        await client.query(`drop database ${TEMPLATE}`);
        throw error;
      }
      await database.close();
    } finally {
      await client.query("select pg_advisory_unlock($1)", [TEMPLATE_LOCK]);
    }
  });
  return templateReady;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A new database on the test cluster: a copy of the migrated template, or (`empty`) a bare
 * UTF-8/C database for tests of the migrations themselves.
 */
export async function freshPostgresDatabase({ empty = false } = {}): Promise<TestDatabase> {
  if (!empty) await ensureTemplate();
  const name = `numberdesk_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await onServer((client) =>
    client.query(
      empty
        ? `create database ${name} template template0 encoding 'UTF8' locale 'C'`
        : `create database ${name} template ${TEMPLATE}`,
    ),
  );
  return {
    url: urlOf(name),
    drop: () =>
      onServer((client) => client.query(`drop database if exists ${name} with (force)`)).then(
        () => {},
      ),
  };
}
