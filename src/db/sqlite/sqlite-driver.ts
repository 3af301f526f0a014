/**
 * A Kysely driver over two connections to one SQLite file: a writer, taken by one caller at a
 * time, and a reader for every SELECT made outside a transaction.
 *
 * Why: Kysely's own SQLite driver shares one connection behind a mutex, so while a bulk run
 * holds a write transaction for seconds, every page (even the session lookup) waits for it.
 * In WAL mode a second connection reads the last committed state while a write transaction
 * is open, so pages keep loading during a run and never see its uncommitted rows. Writes
 * still queue one at a time, asynchronously, behind the writer lock: the event loop never
 * sleeps in SQLite's busy handler waiting for our own transaction.
 */
import type SqliteDatabase from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  RawNode,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";

type Handle = SqliteDatabase.Database;

/** A FIFO lock: one holder at a time, the others wait their turn without blocking the loop. */
export class WriterLock {
  #held = false;
  #waiting: Array<() => void> = [];

  async acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }
}

const READ_SQL = /^\s*select\b/i;
const BEGIN_SQL = /^\s*begin\b/i;
const ROLLBACK_SQL = /^\s*rollback\s*$/i;

/** True for statements that only read: Kysely SELECTs, and raw SQL that starts with SELECT. */
function isRead(query: CompiledQuery): boolean {
  if (SelectQueryNode.is(query.query)) return true;
  return RawNode.is(query.query) && READ_SQL.test(query.sql);
}

/**
 * Prepared statements kept per connection, by SQL text, the most recently used last.
 * Preparing (parsing and planning) cost more than running the small queries every page makes,
 * the session lookup among them (issue 16's profile). SQLite re-prepares a kept statement by
 * itself after a schema change. Bounded: bulk writes make SQL of many shapes.
 */
const STATEMENTS_KEPT = 256;
const statementCaches = new WeakMap<Handle, Map<string, SqliteDatabase.Statement>>();

function prepared(handle: Handle, sql: string): SqliteDatabase.Statement {
  let cache = statementCaches.get(handle);
  if (!cache) {
    cache = new Map();
    statementCaches.set(handle, cache);
  }
  let statement = cache.get(sql);
  if (statement) {
    cache.delete(sql);
  } else {
    statement = handle.prepare(sql);
    if (cache.size >= STATEMENTS_KEPT) cache.delete(cache.keys().next().value as string);
  }
  cache.set(sql, statement);
  return statement;
}

function run(handle: Handle, { sql, parameters }: CompiledQuery): QueryResult<unknown> {
  const statement = prepared(handle, sql);
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

/**
 * What Kysely hands each query or `db.connection()` callback. A SELECT outside a transaction
 * goes to the reader; any other statement takes the writer lock for itself; BEGIN takes it
 * until the transaction ends, so that every statement in between runs on the writer.
 */
class RoutedConnection implements DatabaseConnection {
  #inTransaction = false;

  constructor(
    readonly writer: Handle,
    readonly reader: Handle,
    readonly lock: WriterLock,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#inTransaction) {
      try {
        return run(this.writer, query) as QueryResult<R>;
      } finally {
        if (!this.writer.inTransaction) this.#end();
      }
    }
    if (isRead(query)) return run(this.reader, query) as QueryResult<R>;
    // SQLite may have rolled a failed transaction back itself (a full disk, say): the caller's
    // own ROLLBACK then has nothing to do, and must not hide the error that ended it.
    if (ROLLBACK_SQL.test(query.sql) && !this.writer.inTransaction) return { rows: [] };
    await this.lock.acquire();
    if (!BEGIN_SQL.test(query.sql)) {
      try {
        return run(this.writer, query) as QueryResult<R>;
      } finally {
        this.lock.release();
      }
    }
    this.#inTransaction = true;
    try {
      return run(this.writer, query) as QueryResult<R>;
    } catch (error) {
      this.#end();
      throw error;
    }
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered, as in Kysely's own driver.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("Streaming queries is not supported; page through results instead.");
  }

  /** Kysely is done with this connection: a transaction left open is rolled back. */
  release(): void {
    if (!this.#inTransaction) return;
    if (this.writer.inTransaction) this.writer.exec("rollback");
    this.#end();
  }

  #end(): void {
    this.#inTransaction = false;
    this.lock.release();
  }
}

class ReadWriteDriver implements Driver {
  constructor(
    readonly writer: Handle,
    readonly reader: Handle,
    readonly lock: WriterLock,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutedConnection(this.writer, this.reader, this.lock);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as RoutedConnection).release();
  }

  async destroy(): Promise<void> {
    this.reader.close();
    this.writer.close();
  }
}

/** Kysely's SQLite dialect, with the two-connection driver above. */
export class ReadWriteSqliteDialect implements Dialect {
  constructor(
    readonly writer: Handle,
    readonly reader: Handle,
    readonly lock: WriterLock = new WriterLock(),
  ) {}

  createDriver(): Driver {
    return new ReadWriteDriver(this.writer, this.reader, this.lock);
  }

  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }

  createAdapter() {
    return new SqliteAdapter();
  }

  // biome-ignore lint/suspicious/noExplicitAny: Kysely's Dialect signature takes any database.
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}
