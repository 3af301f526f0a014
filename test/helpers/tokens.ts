import type { Kysely } from "kysely";
import type { DB } from "../../src/db/database.js";
import { createApiToken } from "../../src/services/people/api-tokens.js";
import { COMMAND_LINE, toCurrentUser } from "../../src/services/people/users.js";

/** An API token for the user with this email, made as `npm run user -- token create` does. */
export async function tokenOf(db: Kysely<DB>, email: string, name = "script"): Promise<string> {
  const user = await db
    .selectFrom("users")
    .selectAll()
    .where("email", "=", email)
    .executeTakeFirstOrThrow();
  return (await createApiToken(db, COMMAND_LINE, toCurrentUser(user), name)).secret;
}

/** Headers of a script: its token, and JSON wanted. No cookie, no CSRF token. */
export const scriptHeaders = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  accept: "application/json",
});
