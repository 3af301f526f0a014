/**
 * SQLite's side of a backup, kept apart like sqlite.ts so another dialect replaces one module:
 * an online copy through SQLite's backup API (never a raw copy of the live file, whose last
 * commits may still sit in its -wal), and the integrity check of that copy.
 */
import type BetterSqlite3 from "better-sqlite3";
import { SqliteDatabase } from "./native.js";

/** The file behind a DATABASE_URL, read the way openSqlite reads it. */
export function sqliteFile(url: string): string {
  return url.startsWith("file:") ? url.slice("file:".length) : url;
}

/**
 * Copies the live database at `url` into `target` (a new file) while the portal keeps
 * running. Uses its own connection, so it never waits for the portal's writes and they never
 * wait for it: WAL lets the copy read a committed snapshot while a run writes. SQLite restarts
 * the copy when another connection commits in between steps, so what lands in `target` is
 * always one committed state.
 */
export async function copyLiveDatabase(url: string, target: string): Promise<void> {
  const source = new SqliteDatabase(sqliteFile(url), { fileMustExist: true, timeout: 5000 });
  try {
    // One step for all pages: the whole copy reads one snapshot, with no restarts. A step
    // holds only a read lock, which in WAL mode blocks no writer.
    await source.backup(target, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
}

export interface CopyCheck {
  /** "ok", or the first problems integrity_check reports. */
  integrity: string;
  numbers: number;
}

/**
 * Opens a finished copy, makes it one self-contained file (rollback journal instead of WAL,
 * so it needs no -wal/-shm next to it and can be read from read-only media) and checks it.
 */
export function checkCopy(file: string): CopyCheck {
  const copy = new SqliteDatabase(file, { fileMustExist: true });
  try {
    copy.pragma("journal_mode = DELETE");
    const integrity = integrityOf(copy);
    // A damaged copy may not even answer a count; its first problem is the news.
    if (integrity !== "ok") return { integrity, numbers: 0 };
    const numbers = Number(copy.prepare("select count(*) from phone_numbers").pluck().get());
    return { integrity, numbers };
  } finally {
    copy.close();
  }
}

/** "ok", or the first problems found; a copy too damaged to finish the check says why. */
function integrityOf(copy: BetterSqlite3.Database): string {
  const rows: string[] = [];
  try {
    for (const row of copy.prepare("pragma integrity_check(10)").pluck().iterate()) {
      rows.push(...String(row).split("\n"));
    }
  } catch (error) {
    rows.push((error as Error).message);
  }
  return rows.join("; ");
}
