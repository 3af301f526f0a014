/**
 * Which database DATABASE_URL names. A plain path or a `file:` URL is a SQLite file, as it
 * always was; `postgres://` or `postgresql://` is a PostgreSQL server. Anything else with a
 * scheme (`mysql://`, `postgress://`, `sqlite://`) is refused: before this check such a value
 * silently became a SQLite file inside a new folder named after the scheme.
 */
export type DatabaseTarget = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

/** A URL scheme: letters first, then letters, digits, `+`, `-` or `.`, then a colon. */
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

export class DatabaseUrlError extends Error {}

export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.trim() === "") throw new DatabaseUrlError("DATABASE_URL is empty");
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: "sqlite", file: url };
  if (scheme === "file") return { kind: "sqlite", file: url.slice("file:".length) };
  if (scheme === "postgres" || scheme === "postgresql") {
    if (!URL.canParse(url)) {
      throw new DatabaseUrlError(`DATABASE_URL is not a valid PostgreSQL URL: "${redact(url)}"`);
    }
    return { kind: "postgres", url };
  }
  throw new DatabaseUrlError(
    `DATABASE_URL scheme "${scheme}:" is not supported: use a SQLite file path (or file:PATH), or postgres://user@host:port/database`,
  );
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, "$1:***@");
}
