import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";

export async function findServerSecret(db: Kysely<DB>, name: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("server_secrets")
    .select("value")
    .where("name", "=", name)
    .executeTakeFirst();
  return row?.value;
}

/** Inserts unless another process got there first; the stored value wins either way. */
export async function insertServerSecretIfMissing(
  db: Kysely<DB>,
  name: string,
  value: string,
  at: string,
): Promise<void> {
  await db
    .insertInto("server_secrets")
    .values({ name, value, created_at: at })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
}
