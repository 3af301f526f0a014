import { parseArgs } from "node:util";
import type { Kysely } from "kysely";
import { loadConfig } from "../config.js";
import type { DB } from "../db/database.js";
import { createDb } from "../db/database.js";
import { migrateToLatest } from "../db/migrate.js";
import { NotFoundError, ValidationError } from "../domain/errors.js";
import type { CurrentUser } from "../domain/permissions.js";
import { findUserByEmail } from "../queries/users.js";
import { createApiToken, listApiTokens, revokeApiToken } from "../services/people/api-tokens.js";
import { resetTwoFactor } from "../services/people/two-factor.js";
import {
  COMMAND_LINE,
  createUser,
  resetUserPassword,
  setUserDisabled,
  toCurrentUser,
} from "../services/people/users.js";

export const USAGE = `Usage:
  npm run user -- add --email EMAIL --role portal_admin|admin|editor|viewer [--scope business:ID|unit:ID]
  npm run user -- password --email EMAIL     issue a new one-time password
  npm run user -- disable --email EMAIL      disable and sign out
  npm run user -- enable --email EMAIL
  npm run user -- mfa reset --email EMAIL    take off their two-factor sign-in (a lost phone)
  npm run user -- token create EMAIL NAME    new API token, printed once
  npm run user -- token list EMAIL           the user's live API tokens
  npm run user -- token revoke EMAIL ID`;

export type UserCommand =
  | { command: "add"; email: string; role: string; scope: string }
  | { command: "password" | "disable" | "enable" | "mfa-reset"; email: string }
  | { command: "token-create"; email: string; name: string }
  | { command: "token-list"; email: string }
  | { command: "token-revoke"; email: string; id: number };

/** `token create EMAIL NAME | token list EMAIL | token revoke EMAIL ID` */
function parseTokenArgs(args: string[]): UserCommand {
  const [action, email, ...rest] = args;
  if (action !== "create" && action !== "list" && action !== "revoke") {
    throw new Error(`Unknown token command: ${action ?? "(none)"}`);
  }
  if (!email) throw new Error(`token ${action}: EMAIL is required`);
  if (action === "create") {
    // The name may be several words without quotes: `token create jo@acme.test nightly sync`.
    if (rest.length === 0) throw new Error("token create: NAME is required");
    return { command: "token-create", email, name: rest.join(" ") };
  }
  const extra = action === "list" ? rest[0] : rest[1];
  if (extra !== undefined) throw new Error(`Unexpected argument: ${extra}`);
  if (action === "list") return { command: "token-list", email };
  const id = rest[0];
  if (!id || !/^\d{1,15}$/.test(id)) throw new Error("token revoke: ID (a number) is required");
  return { command: "token-revoke", email, id: Number(id) };
}

/** Parses the arguments; throws with a message for the user on anything unexpected. */
export function parseUserArgs(argv: string[]): UserCommand {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { email: { type: "string" }, role: { type: "string" }, scope: { type: "string" } },
  });
  const [command, ...rest] = positionals;
  if (command === "token") {
    if (Object.keys(values).length > 0) throw new Error("token takes no options");
    return parseTokenArgs(rest);
  }
  if (command === "mfa") {
    const [action, extra] = rest;
    if (action !== "reset") throw new Error(`Unknown mfa command: ${action ?? "(none)"}`);
    if (extra !== undefined) throw new Error(`Unexpected argument: ${extra}`);
    if (!values.email) throw new Error("--email is required");
    return { command: "mfa-reset", email: values.email };
  }
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

async function runTokenCommand(db: Kysely<DB>, parsed: UserCommand, owner: CurrentUser) {
  if (parsed.command === "token-create") {
    const { token, secret } = await createApiToken(db, COMMAND_LINE, owner, parsed.name);
    console.log(
      `Created the API token “${token.name}” (id ${token.id}) for ${owner.email}:\n${secret}\nIt is shown only now. Send it as: Authorization: Bearer <token>`,
    );
  } else if (parsed.command === "token-list") {
    const tokens = await listApiTokens(db, owner);
    if (tokens.length === 0) console.log(`${owner.email} has no API tokens.`);
    for (const t of tokens) {
      console.log(
        `${t.id}\t${t.name}\t${t.hint}…\tcreated ${t.created_at}\tlast used ${t.last_used_at ?? "never"}`,
      );
    }
  } else if (parsed.command === "token-revoke") {
    const token = await revokeApiToken(db, COMMAND_LINE, owner, parsed.id);
    console.log(`Revoked the API token “${token.name}” of ${owner.email}.`);
  }
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
    await migrateToLatest(database);
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
    if (parsed.command.startsWith("token-")) {
      await runTokenCommand(database.db, parsed, toCurrentUser(user));
      return 0;
    }
    if (parsed.command === "mfa-reset") {
      const { hadOne } = await resetTwoFactor(database.db, COMMAND_LINE, user.id);
      console.log(
        hadOne
          ? `Reset the two-factor sign-in of ${user.email}. They sign in with their password; where two-factor sign-in is required, they set it up again.`
          : `${user.email} had no two-factor sign-in; nothing to reset.`,
      );
    } else if (parsed.command === "password") {
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
    if (error instanceof NotFoundError) {
      console.error(error.message);
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
