/**
 * The two-connection driver (src/db/sqlite-driver.ts): pages read while a write transaction
 * is open and never see its uncommitted rows; writes wait their turn; a failed transaction
 * hands the writer on.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import t, { type Test } from "tap";
import { createSqliteDb } from "../../src/db/database.js";
import { inWriteTransaction } from "../../src/db/sqlite/sqlite.js";

async function scratch(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-driver-"));
  const database = createSqliteDb(join(dir, "driver.db"));
  await sql`create table notes (id integer primary key, text text not null) strict`.execute(
    database.db,
  );
  t.teardown(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return database;
}

/** A transaction that writes a row, then waits until `finish` is called before committing. */
function openTransaction(database: Awaited<ReturnType<typeof scratch>>, text: string) {
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let wrote!: () => void;
  const written = new Promise<void>((resolve) => {
    wrote = resolve;
  });
  const done = inWriteTransaction(database.db, async (trx) => {
    await sql`insert into notes (text) values (${text})`.execute(trx);
    wrote();
    await gate;
  });
  return { written, finish, done };
}

const texts = async (database: Awaited<ReturnType<typeof scratch>>) =>
  (
    await database.db
      .selectFrom("notes" as never)
      .select("text" as never)
      .execute()
  ).map((row) => (row as { text: string }).text);

t.test("reads go on during an open transaction and see only committed rows", async (t) => {
  const database = await scratch(t);
  await sql`insert into notes (text) values ('before')`.execute(database.db);
  const run = openTransaction(database, "inside");
  await run.written;
  t.same(await texts(database), ["before"], "the uncommitted row is not seen");
  t.ok(database.handle.inTransaction, "the writer is still in its transaction");
  run.finish();
  await run.done;
  t.same(await texts(database), ["before", "inside"], "seen once committed");
});

t.test("a write waits for the open transaction, then applies after it", async (t) => {
  const database = await scratch(t);
  const run = openTransaction(database, "first");
  await run.written;
  let applied = false;
  const second = sql`insert into notes (text) values ('second')`.execute(database.db).then(() => {
    applied = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.notOk(applied, "the second write has not run inside the first one's transaction");
  run.finish();
  await Promise.all([run.done, second]);
  t.same(await texts(database), ["first", "second"]);
});

t.test("a transaction that fails rolls back and lets the next writer in", async (t) => {
  const database = await scratch(t);
  await t.rejects(
    inWriteTransaction(database.db, async (trx) => {
      await sql`insert into notes (text) values ('lost')`.execute(trx);
      throw new Error("boom");
    }),
    /boom/,
  );
  t.notOk(database.handle.inTransaction);
  await sql`insert into notes (text) values ('next')`.execute(database.db);
  t.same(await texts(database), ["next"]);
});

t.test("Kysely's own transactions take the writer too", async (t) => {
  const database = await scratch(t);
  await database.db.transaction().execute(async (trx) => {
    await sql`insert into notes (text) values ('kysely')`.execute(trx);
    t.same(await texts(database), [], "outside the transaction, nothing yet");
  });
  t.same(await texts(database), ["kysely"]);
});

t.test("the reader refuses writes", async (t) => {
  const database = await scratch(t);
  t.throws(() => database.reader.exec("insert into notes (text) values ('x')"), {
    code: "SQLITE_READONLY",
  });
});

t.test("the writer lock serves waiters in order", async (t) => {
  const database = await scratch(t);
  const order: number[] = [];
  await database.writerLock.acquire();
  const waiters = [1, 2, 3].map((n) =>
    database.writerLock.acquire().then(() => {
      order.push(n);
      database.writerLock.release();
    }),
  );
  database.writerLock.release();
  await Promise.all(waiters);
  t.same(order, [1, 2, 3]);
});

t.test("a transaction SQLite already ended keeps its own error, not the rollback's", async (t) => {
  const database = await scratch(t);
  await t.rejects(
    inWriteTransaction(database.db, async (trx) => {
      await sql`insert into notes (text) values ('gone')`.execute(trx);
      // As when SQLite rolls back on its own (SQLITE_FULL, SQLITE_IOERR…).
      await sql`rollback`.execute(trx);
      throw new Error("the first error");
    }),
    /the first error/,
  );
  t.notOk(database.handle.inTransaction);
  await sql`insert into notes (text) values ('next')`.execute(database.db);
  t.same(await texts(database), ["next"], "the writer is free again");
});

t.test(
  "kept statements: the same SQL answers fresh rows, a schema change, and many shapes",
  async (t) => {
    const database = await scratch(t);
    const all = () =>
      sql<Record<string, unknown>>`select * from notes order by id`.execute(database.db);
    await sql`insert into notes (text) values ('one')`.execute(database.db);
    t.same((await all()).rows, [{ id: 1, text: "one" }]);
    await sql`insert into notes (text) values ('two')`.execute(database.db);
    t.same((await all()).rows.length, 2, "the kept statement reads the rows written since");
    await sql`alter table notes add column tag text`.execute(database.db);
    t.same(
      (await all()).rows[0],
      { id: 1, text: "one", tag: null },
      "after a schema change, the kept statement is prepared again by SQLite",
    );
    // More shapes than are kept: the oldest are dropped, every query still answers.
    const answers: number[] = [];
    for (let i = 0; i < 600; i++) {
      const row = await sql<{ n: number }>`select ${sql.lit(i)} as n`.execute(database.db);
      answers.push(row.rows[0]?.n ?? -1);
    }
    t.same(
      answers,
      Array.from({ length: 600 }, (_, i) => i),
    );
    await t.rejects(
      sql`insert into notes (id, text) values (1, 'again')`.execute(database.db),
      /UNIQUE|PRIMARY KEY/,
    );
    await sql`insert into notes (id, text) values (3, 'three')`.execute(database.db);
    t.equal((await all()).rows.length, 3, "a statement that failed once works again");
  },
);
