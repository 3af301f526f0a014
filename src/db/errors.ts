/**
 * Constraint violations, read the same way on both databases: a service that lets the
 * database settle a race (two writers taking one name) asks here, not about error codes.
 * SQLite (better-sqlite3) sets `code` to SQLITE_CONSTRAINT_*; PostgreSQL (pg) to the
 * SQLSTATE: class 23 is "integrity constraint violation".
 */
function codeOf(error: unknown): string {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
}

/** A UNIQUE (or primary key) violation: a race the service's own check missed. */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return (
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    code === "23505"
  );
}

/**
 * The connection to the database went away (the server restarted, an administrator ended the
 * backend, the network dropped): whatever the transaction held was rolled back by the server.
 * SQLSTATE class 08 (connection exception) and 57P0x (shutdown, termination); the socket's
 * own errors; pg's own messages when the socket closes under a query.
 */
export function isConnectionLost(error: unknown): boolean {
  const code = codeOf(error);
  if (code.startsWith("08") || /^57P0[1-3]$/.test(code)) return true;
  // The socket itself, as Node reports it.
  if (["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED"].includes(code)) return true;
  return (
    error instanceof Error &&
    /Connection terminated|connection error and is not queryable/i.test(error.message)
  );
}

/** Any constraint refused the write: unique, foreign key, check or not-null. */
export function isConstraintViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code.startsWith("SQLITE_CONSTRAINT") || (code.length === 5 && code.startsWith("23"));
}
