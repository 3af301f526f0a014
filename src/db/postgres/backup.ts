/**
 * PostgreSQL's side of `npm run backup` (db/sqlite/backup.ts is SQLite's): pg_dump
 * --format=custom of one consistent snapshot, and pg_restore --list as the check that the
 * dump is whole and readable. The password never reaches a command line (where `ps` shows
 * it) or a message: pg_dump gets the URL without it and the password in PGPASSWORD.
 */
import { spawn } from "node:child_process";
import pg from "pg";

/** A dump that did not happen or did not check out; the message is safe to print. */
export class DumpError extends Error {}

const CLIENT_TOOLS =
  "install the PostgreSQL client tools of the server's major version or newer " +
  "(Debian/Ubuntu: apt-get install postgresql-client; RHEL: dnf install postgresql), " +
  "or put their bin folder on PATH";

/** The URL without its password, and the password apart (decoded), for libpq's environment. */
function splitPassword(url: string): { url: string; password: string | null } {
  const parsed = new URL(url);
  const password = parsed.password ? decodeURIComponent(parsed.password) : null;
  parsed.password = "";
  return { url: parsed.toString(), password };
}

/** Runs a client tool; resolves with its stdout, rejects with its stderr (password removed). */
function runTool(
  tool: "pg_dump" | "pg_restore",
  args: string[],
  password: string | null,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: "10" };
    if (password !== null) env.PGPASSWORD = password;
    const child = spawn(tool, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new DumpError(
          error.code === "ENOENT"
            ? `${tool} was not found: ${CLIENT_TOOLS}`
            : `${tool} could not start: ${error.message}`,
        ),
      );
    });
    child.once("close", (code) => {
      if (code === 0) return resolve(stdout);
      const said = password ? stderr.split(password).join("***") : stderr;
      reject(new DumpError(`${tool} failed (exit ${code}): ${said.trim() || "no message"}`));
    });
  });
}

/**
 * Dumps the database at `url` into `target` with pg_dump --format=custom while the portal
 * keeps running. The numbers are counted in an exported snapshot that pg_dump then dumps
 * (--snapshot), so the count printed is exactly what the file holds.
 */
export async function dumpDatabase(url: string, target: string): Promise<number> {
  const { url: bare, password } = splitPassword(url);
  // Missing client tools are the likeliest failure on a new box: said before anything else.
  await runTool("pg_dump", ["--version"], null);
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch {
    throw new DumpError("the PostgreSQL database of DATABASE_URL does not answer");
  }
  try {
    await client.query("begin isolation level repeatable read read only");
    const snapshot = (await client.query("select pg_export_snapshot() as id")).rows[0].id;
    const counted = await client.query("select count(*) as n from phone_numbers");
    await runTool(
      "pg_dump",
      ["--format=custom", `--snapshot=${snapshot}`, `--file=${target}`, `--dbname=${bare}`],
      password,
    );
    await client.query("commit");
    return Number(counted.rows[0].n);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Reads the dump's table of contents with pg_restore --list: it must hold the portal's tables. */
export async function checkDump(file: string): Promise<number> {
  const listing = await runTool("pg_restore", ["--list", file], null);
  const tables = listing.split("\n").filter((line) => / TABLE DATA public \S+ /.test(line));
  if (!tables.some((line) => / TABLE DATA public phone_numbers /.test(line))) {
    throw new DumpError("pg_restore --list does not find the phone_numbers table in the dump");
  }
  return tables.length;
}
