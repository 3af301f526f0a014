import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseDatabaseUrl } from "../../db/database-url.js";
import { checkDump, DumpError, dumpDatabase } from "../../db/postgres/backup.js";
import { checkCopy, copyLiveDatabase, sqliteFile } from "../../db/sqlite/backup.js";

export interface BackupReport {
  file: string;
  bytes: number;
  numbers: number;
  seconds: number;
  /** What checked the written file: SQLite's integrity_check, or pg_restore --list. */
  check: "integrity ok" | "pg_restore --list ok";
}

/** A backup that did not happen, with a message for the operator; nothing was left at FILE. */
export class BackupError extends Error {}

/**
 * `npm run backup -- FILE`: an online copy of the portal's database, safe while it runs, that
 * lands at FILE only once it is complete and has passed integrity_check. Until then it is
 * FILE.partial, so a crash, a full disk or a failed check never leaves something at FILE that
 * looks like a backup. On PostgreSQL the copy is pg_dump --format=custom (restored with
 * pg_restore), checked with pg_restore --list.
 */
export async function backupDatabase(
  databaseUrl: string,
  target: string,
  { force = false }: { force?: boolean } = {},
): Promise<BackupReport> {
  const started = performance.now();
  const onPostgres = parseDatabaseUrl(databaseUrl).kind === "postgres";
  const file = resolve(target);
  if (!onPostgres) {
    const source = resolve(sqliteFile(databaseUrl));
    if (file === source || file.startsWith(`${source}-`)) {
      throw new BackupError(`${target} is the live database (or one of its files)`);
    }
    if (!existsSync(source)) throw new BackupError(`No database at ${databaseUrl}`);
  }
  if (!existsSync(dirname(file))) throw new BackupError(`No folder ${dirname(file)}`);
  if (existsSync(file) && !force) {
    throw new BackupError(`${target} already exists; add --force to replace it`);
  }
  const partial = `${file}.partial`;
  // Leftovers of an earlier backup that died: ours by name, and never a finished backup.
  removePartial(partial);
  try {
    const { numbers, check } = onPostgres
      ? await dumpAndCheck(databaseUrl, partial)
      : await copyAndCheck(databaseUrl, partial);
    syncToDisk(partial);
    renameSync(partial, file);
    // The rename itself is only durable once the folder's entry is on disk.
    syncToDisk(dirname(file));
    return {
      file,
      bytes: statSync(file).size,
      numbers,
      seconds: (performance.now() - started) / 1000,
      check,
    };
  } catch (error) {
    removePartial(partial);
    throw error;
  }
}

async function copyAndCheck(databaseUrl: string, partial: string) {
  await copyLiveDatabase(databaseUrl, partial);
  const check = checkCopy(partial);
  if (check.integrity !== "ok") {
    throw new BackupError(`The copy failed integrity_check: ${check.integrity}`);
  }
  return { numbers: check.numbers, check: "integrity ok" as const };
}

async function dumpAndCheck(databaseUrl: string, partial: string) {
  try {
    const numbers = await dumpDatabase(databaseUrl, partial);
    await checkDump(partial);
    return { numbers, check: "pg_restore --list ok" as const };
  } catch (error) {
    // pg_dump's and pg_restore's own words (never the password), for the operator.
    if (error instanceof DumpError) throw new BackupError(error.message);
    throw error;
  }
}

function removePartial(partial: string): void {
  for (const suffix of ["", "-journal", "-wal", "-shm"])
    rmSync(`${partial}${suffix}`, { force: true });
}

function syncToDisk(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The line the command prints: what was written, how big, how many numbers, how long. */
export function describeBackup(report: BackupReport): string {
  const mb = report.bytes / (1024 * 1024);
  return (
    `Backup written to ${report.file}: ${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB, ` +
    `${report.numbers.toLocaleString("en-US")} numbers, ${report.check}, ${report.seconds.toFixed(1)} s`
  );
}
