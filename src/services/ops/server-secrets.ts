import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { findServerSecret, insertServerSecretIfMissing } from "../../queries/server-secrets.js";

/**
 * A secret kept in the database (e.g. the CSRF key), made once on first use: every process
 * on the same database then agrees on it, and a restart does not void open forms.
 */
export async function serverSecret(db: Kysely<DB>, name: string): Promise<string> {
  await insertServerSecretIfMissing(
    db,
    name,
    randomBytes(32).toString("base64url"),
    new Date().toISOString(),
  );
  const value = await findServerSecret(db, name);
  if (!value) throw new Error(`server secret ${name} missing`);
  return value;
}
