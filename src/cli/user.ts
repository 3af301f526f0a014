import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { createDb } from "../db/database.js";
import { migrateToLatest } from "../db/migrate.js";
import { ValidationError } from "../domain/errors.js";
import { findUserByEmail } from "../queries/users.js";
import { COMMAND_LINE, createUser, resetUserPassword, setUserDisabled } from "../services/users.js";

export const USAGE = `Usage:
  npm run user -- add --email EMAIL --role portal_admin|admin|editor|viewer [--scope business:ID|unit:ID]
  npm run user -- password --email EMAIL     issue a new one-time password
  npm run user -- disable --email EMAIL      disable and sign out
  npm run user -- enable --email EMAIL`;

export type UserCommand =
  | { command: "add"; email: string; role: string; scope: string }
  | { command: "password" | "disable" | "enable"; email: string };

/** Parses the arguments; throws with a message for the user on anything unexpected. */
export function parseUserArgs(argv: string[]): UserCommand {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { email: { type: "string" }, role: { type: "string" }, scope: { type: "string" } },
  });
  const [command, ...rest] = positionals;
  if (rest.length > 0) throw new Error(`Unexpected argument: ${rest[0]}`);
  if (!values.email) throw new Error("--email is required");
  if (command === "add") {
    if (!values.role) throw new Error("--role is required");
    const scope = values.role === "portal_admin" ? (values.scope ?? "portal") : values.scope;
    if (!scope) throw new Error("--scope business:ID or unit:ID is required for this role");
    return { command, email: values.email, role: values.role, scope };
  }
  if (command === "password" || command === "disable" || command === "enable") {
    return { command, email: values.email };
  }
  throw new Error(`Unknown command: ${command ?? "(none)"}`);
}

async function main(): Promise<number> {
  let parsed: UserCommand;
  try {
    parsed = parseUserArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const database = createDb(config.databaseUrl);
  try {
    await migrateToLatest(database.db);
    if (parsed.command === "add") {
      const { user, oneTimePassword } = await createUser(
        database.db,
        COMMAND_LINE,
        parsed,
        config.passwordHashing,
      );
      console.log(
        `Created ${user.email} (${user.role}).\nOne-time password: ${oneTimePassword}\nThey choose their own at first sign-in.`,
      );
      return 0;
    }
    const user = await findUserByEmail(database.db, parsed.email);
    if (!user) {
      console.error(`No user with the email ${parsed.email}.`);
      return 1;
    }
    if (parsed.command === "password") {
      const { oneTimePassword } = await resetUserPassword(
        database.db,
        COMMAND_LINE,
        user.id,
        config.passwordHashing,
      );
      console.log(
        `New one-time password for ${user.email}: ${oneTimePassword}\nTheir sessions were ended.`,
      );
    } else {
      await setUserDisabled(database.db, COMMAND_LINE, user.id, parsed.command === "disable");
      console.log(
        `${user.email} is ${parsed.command === "disable" ? "disabled and signed out" : "enabled"}.`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof ValidationError) {
      console.error(Object.values(error.errors).join("\n"));
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

// Run only as a program, so tests can import the parser.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await main();
}
