/** Constraint and connection errors read the same on both databases (db/errors.ts). */
import t from "tap";
import { isConnectionLost, isConstraintViolation, isUniqueViolation } from "../../src/db/errors.js";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

t.test("unique violations: SQLite's codes and PostgreSQL's SQLSTATE 23505", async (t) => {
  t.ok(isUniqueViolation(withCode("SQLITE_CONSTRAINT_UNIQUE")));
  t.ok(isUniqueViolation(withCode("SQLITE_CONSTRAINT_PRIMARYKEY")));
  t.ok(isUniqueViolation(withCode("23505")));
  t.notOk(isUniqueViolation(withCode("23503")), "a foreign key is not a unique violation");
  t.notOk(isUniqueViolation(withCode("SQLITE_CONSTRAINT_FOREIGNKEY")));
  t.notOk(isUniqueViolation(new Error("no code")));
  t.notOk(isUniqueViolation(null));
});

t.test("any constraint: SQLITE_CONSTRAINT_* and SQLSTATE class 23", async (t) => {
  for (const code of ["SQLITE_CONSTRAINT_FOREIGNKEY", "SQLITE_CONSTRAINT_CHECK", "23503", "23514"])
    t.ok(isConstraintViolation(withCode(code)), code);
  for (const code of ["SQLITE_BUSY", "22021", "230", "08006"])
    t.notOk(isConstraintViolation(withCode(code)), code);
});

t.test("a lost connection: SQLSTATE 08/57P0x, socket errors, pg's messages", async (t) => {
  for (const code of ["57P01", "08006", "ECONNRESET", "EPIPE"])
    t.ok(isConnectionLost(withCode(code)), code);
  t.ok(isConnectionLost(new Error("Connection terminated unexpectedly")));
  t.ok(
    isConnectionLost(new Error("Client has encountered a connection error and is not queryable")),
  );
  for (const code of ["23505", "57014", "SQLITE_BUSY"])
    t.notOk(isConnectionLost(withCode(code)), code);
});
