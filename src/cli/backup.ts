import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.js";
import { BackupError, backupDatabase, describeBackup } from "../services/ops/backup.js";

export const BACKUP_USAGE = `Usage:
  npm run backup -- FILE [--force]   online copy of DATABASE_URL to FILE, checked with integrity_check
                                     (SQLite), or pg_dump --format=custom checked with
                                     pg_restore --list (PostgreSQL); --force replaces an existing FILE`;

/** Parses the arguments; throws with a message for the user on anything unexpected. */
export function parseBackupArgs(argv: string[]): { file: string; force: boolean } {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { force: { type: "boolean", default: false } },
  });
  if (positionals.length === 0) throw new Error("FILE is required");
  if (positionals.length > 1) throw new Error(`Unexpected argument: ${positionals[1]}`);
  return { file: positionals[0] ?? "", force: values.force };
}

/** 0: written and checked; 1: no backup (nothing left at FILE); 2: bad arguments or config. */
async function main(): Promise<number> {
  let args: { file: string; force: boolean };
  let databaseUrl: string;
  try {
    args = parseBackupArgs(process.argv.slice(2));
    databaseUrl = loadConfig().databaseUrl;
  } catch (error) {
    const usage = error instanceof ConfigError ? "" : `\n\n${BACKUP_USAGE}`;
    console.error(`${(error as Error).message}${usage}`);
    return 2;
  }
  try {
    console.log(describeBackup(await backupDatabase(databaseUrl, args.file, args)));
    return 0;
  } catch (error) {
    const detail = error instanceof BackupError ? error.message : String(error);
    console.error(`Backup failed: ${detail}`);
    return 1;
  }
}

// Run only as a program, so tests can import the parser.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await main();
}
