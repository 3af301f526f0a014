/**
 * Both databases hold the same schema (issue 14): the SQLite migrations' final state and the
 * PostgreSQL baseline (plus whatever follows it) have the same tables, columns (normalised
 * types, nullability, defaults), primary keys, unique constraints and indexes (expressions
 * and partial ones included), composite foreign keys with their ON DELETE, and checks. Runs
 * whichever lane the suite is in: it starts the throwaway cluster itself.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import t from "tap";
import { migrationsFor } from "../../migrations/index.js";
import { createDb, createSqliteDb } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { freshPostgresDatabase } from "../helpers/postgres.js";

/** Tables only one database has, on purpose. */
const SQLITE_ONLY = /^(sqlite_|kysely_)/;
/** The data version counter (db/postgres/): SQLite reads pragmas instead. */
const POSTGRES_ONLY = /^(kysely_|data_version$)/;

interface Schema {
  tables: string[];
  /** "table.column type [not null] [default x]" */
  columns: string[];
  /** "table: (col, …)" for primary keys and unique constraints */
  keys: string[];
  /** "table name unique? (expr, …) [where …]" for indexes not behind a constraint */
  indexes: string[];
  /** "table: (cols) -> other(cols) [on delete …]" */
  foreignKeys: string[];
  /** "table: n checks" and "table: name" for named checks */
  checks: string[];
}

const sorted = (values: string[]) => [...values].sort();

/** Spacing, quotes, case, PostgreSQL's casts and redundant parentheses: not differences. */
function normaliseSql(text: string): string {
  return text
    .replace(/"/g, "")
    .replace(/\((\d+)\)::\w+/g, "$1")
    .replace(/::\w+/g, "")
    .replace(/public\./g, "")
    .replace(/\s+/g, " ")
    .toLowerCase()
    .replace(/\( /g, "(")
    .replace(/ \)/g, ")")
    .trim();
}

function normaliseType(type: string): string {
  const lower = type.toLowerCase();
  if (lower === "integer" || lower === "bigint") return "integer";
  return lower;
}

function sqliteSchema(file: string): Schema {
  const database = createSqliteDb(file);
  const handle = database.handle;
  try {
    const all = <T>(query: string, ...params: unknown[]) =>
      handle.prepare(query).all(...params) as T[];
    const tables = all<{ name: string; sql: string }>(
      "select name, sql from sqlite_master where type = 'table'",
    ).filter((table) => !SQLITE_ONLY.test(table.name));
    const schema: Schema = {
      tables: [],
      columns: [],
      keys: [],
      indexes: [],
      foreignKeys: [],
      checks: [],
    };
    for (const table of tables) {
      schema.tables.push(table.name);
      const columns = all<{
        name: string;
        type: string;
        notnull: number;
        dflt_value: string | null;
        pk: number;
      }>(`select * from pragma_table_info(?)`, table.name);
      for (const c of columns) {
        const notNull = c.notnull === 1 || c.pk > 0 ? " not null" : "";
        const dflt = c.dflt_value === null ? "" : ` default ${c.dflt_value}`;
        schema.columns.push(`${table.name}.${c.name} ${normaliseType(c.type)}${notNull}${dflt}`);
      }
      const pk = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
      if (pk.length) schema.keys.push(`${table.name}: (${pk.map((c) => c.name).join(", ")})`);
      for (const index of all<{ name: string; unique: number; origin: string; partial: number }>(
        "select * from pragma_index_list(?)",
        table.name,
      )) {
        if (index.origin === "pk") continue;
        const cols = all<{ name: string }>(
          "select name from pragma_index_info(?) order by seqno",
          index.name,
        ).map((c) => c.name);
        if (index.origin === "u") {
          schema.keys.push(`${table.name}: (${cols.join(", ")})`);
          continue;
        }
        const { sql: text } = handle
          .prepare("select sql from sqlite_master where name = ?")
          .get(index.name) as { sql: string };
        const body = normaliseSql(text.slice(text.indexOf("(")));
        schema.indexes.push(`${table.name} ${index.name}${index.unique ? " unique" : ""} ${body}`);
      }
      const keys = new Map<
        number,
        Array<{ table: string; from: string; to: string; on_delete: string }>
      >();
      for (const fk of all<{
        id: number;
        table: string;
        from: string;
        to: string;
        on_delete: string;
      }>("select * from pragma_foreign_key_list(?) order by id, seq", table.name)) {
        keys.set(fk.id, [...(keys.get(fk.id) ?? []), fk]);
      }
      for (const parts of keys.values()) {
        const onDelete =
          parts[0]?.on_delete === "NO ACTION"
            ? ""
            : ` on delete ${parts[0]?.on_delete.toLowerCase()}`;
        schema.foreignKeys.push(
          `${table.name}: (${parts.map((p) => p.from).join(", ")}) -> ${parts[0]?.table}(${parts.map((p) => p.to).join(", ")})${onDelete}`,
        );
      }
      const text = table.sql.toLowerCase();
      schema.checks.push(`${table.name}: ${text.split(/\bcheck\s*\(/).length - 1} checks`);
      for (const match of text.matchAll(/constraint "?(\w+)"? check/g)) {
        schema.checks.push(`${table.name}: ${match[1]}`);
      }
    }
    return schema;
  } finally {
    void database.close();
  }
}

async function postgresSchema(url: string): Promise<Schema> {
  const database = createDb(url);
  const { db } = database;
  try {
    const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(db)).rows;
    const tables = (
      await rows<{ name: string }>(
        sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
      )
    )
      .map((row) => row.name)
      .filter((name) => !POSTGRES_ONLY.test(name));
    const schema: Schema = {
      tables,
      columns: [],
      keys: [],
      indexes: [],
      foreignKeys: [],
      checks: [],
    };
    for (const c of await rows<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
      column_default: string | null;
    }>(sql`select table_name, column_name, data_type, is_nullable, column_default
           from information_schema.columns where table_schema = 'public'`)) {
      if (!tables.includes(c.table_name)) continue;
      const notNull = c.is_nullable === "NO" ? " not null" : "";
      const dflt = c.column_default === null ? "" : ` default ${normaliseSql(c.column_default)}`;
      schema.columns.push(
        `${c.table_name}.${c.column_name} ${normaliseType(c.data_type)}${notNull}${dflt}`,
      );
    }
    const constraints = await rows<{
      table: string;
      name: string;
      type: string;
      definition: string;
    }>(
      sql`select cl.relname as table, co.conname as name, co.contype as type,
                 pg_get_constraintdef(co.oid) as definition
          from pg_constraint co join pg_class cl on cl.oid = co.conrelid
          join pg_namespace n on n.oid = cl.relnamespace where n.nspname = 'public'`,
    );
    for (const co of constraints.filter((c) => tables.includes(c.table))) {
      const definition = normaliseSql(co.definition);
      if (co.type === "p" || co.type === "u") {
        schema.keys.push(`${co.table}: ${definition.replace(/^(primary key|unique) /, "")}`);
      } else if (co.type === "f") {
        const match = /^foreign key (\([^)]*\)) references (\w+)(\([^)]*\))(.*)$/.exec(definition);
        schema.foreignKeys.push(
          `${co.table}: ${match?.[1]} -> ${match?.[2]}${match?.[3]}${match?.[4]?.trimEnd() ?? ""}`,
        );
      }
    }
    for (const table of tables) {
      const checks = constraints.filter((c) => c.table === table && c.type === "c");
      schema.checks.push(`${table}: ${checks.length} checks`);
      // Named in the migration (SQLite keeps only those names); PostgreSQL names the others
      // table_column_check.
      for (const check of checks.filter((c) => !c.name.endsWith("_check"))) {
        schema.checks.push(`${table}: ${check.name}`);
      }
    }
    for (const index of await rows<{ table: string; name: string; definition: string }>(
      sql`select i.tablename as table, i.indexname as name, i.indexdef as definition
          from pg_indexes i where i.schemaname = 'public'
          and not exists (select 1 from pg_constraint co where co.conindid = (quote_ident(i.indexname))::regclass)`,
    )) {
      if (!tables.includes(index.table)) continue;
      const definition = normaliseSql(index.definition);
      const body = definition.slice(definition.indexOf(" using btree ") + " using btree ".length);
      const where = /^(.*) where \((.*)\)$/.exec(body);
      schema.indexes.push(
        `${index.table} ${index.name}${definition.startsWith("create unique") ? " unique" : ""} ${where ? `${where[1]} where ${where[2]}` : body}`,
      );
    }
    return schema;
  } finally {
    await database.close();
  }
}

t.test("the SQLite migrations and the PostgreSQL baseline give the same schema", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-parity-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "parity.db");
  const sqlite = createSqliteDb(file);
  await migrateToLatest(sqlite);
  await sqlite.close();

  const target = await freshPostgresDatabase({ empty: true });
  t.teardown(() => target.drop());
  const postgres = createDb(target.url);
  t.same(await migrateToLatest(postgres), Object.keys(migrationsFor("postgres")));
  t.same(await migrateToLatest(postgres), [], "migrating twice is a no-op");
  await postgres.close();

  const left = sqliteSchema(file);
  const right = await postgresSchema(target.url);
  t.ok(left.tables.length >= 17, `${left.tables.length} tables`);
  for (const part of Object.keys(left) as Array<keyof Schema>) {
    t.same(sorted(right[part]), sorted(left[part]), `${part}: ${left[part].length}`);
  }
});
