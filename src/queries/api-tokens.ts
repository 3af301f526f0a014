import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { ApiToken, NewApiToken } from "../db/tables/api-tokens.js";
import type { User } from "../db/tables/users.js";

export function insertApiToken(db: Kysely<DB>, values: NewApiToken): Promise<ApiToken> {
  return db.insertInto("api_tokens").values(values).returningAll().executeTakeFirstOrThrow();
}

/** A live (not revoked) token and its user in one query: this runs on every scripted request. */
export async function findLiveTokenWithUser(
  db: Kysely<DB>,
  tokenHash: string,
): Promise<{ token: ApiToken; user: User } | undefined> {
  const row = await db
    .selectFrom("api_tokens as t")
    .innerJoin("users as u", "u.id", "t.user_id")
    .select([
      "t.id as t_id",
      "t.user_id as t_user_id",
      "t.name as t_name",
      "t.token_hash as t_token_hash",
      "t.hint as t_hint",
      "t.created_at as t_created_at",
      "t.last_used_at as t_last_used_at",
      "t.revoked_at as t_revoked_at",
    ])
    .selectAll("u")
    .where("t.token_hash", "=", tokenHash)
    .where("t.revoked_at", "is", null)
    .executeTakeFirst();
  if (!row) return undefined;
  const {
    t_id,
    t_user_id,
    t_name,
    t_token_hash,
    t_hint,
    t_created_at,
    t_last_used_at,
    t_revoked_at,
    ...user
  } = row;
  return {
    token: {
      id: t_id,
      user_id: t_user_id,
      name: t_name,
      token_hash: t_token_hash,
      hint: t_hint,
      created_at: t_created_at,
      last_used_at: t_last_used_at,
      revoked_at: t_revoked_at,
    },
    user,
  };
}

/** A user's live tokens, newest first. */
export function listLiveTokensOfUser(db: Kysely<DB>, userId: number): Promise<ApiToken[]> {
  return db
    .selectFrom("api_tokens")
    .selectAll()
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .orderBy("id", "desc")
    .execute();
}

export function findLiveTokenOfUser(
  db: Kysely<DB>,
  userId: number,
  id: number,
): Promise<ApiToken | undefined> {
  return db
    .selectFrom("api_tokens")
    .selectAll()
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
}

export async function revokeToken(db: Kysely<DB>, id: number, at: string): Promise<void> {
  await db.updateTable("api_tokens").set({ revoked_at: at }).where("id", "=", id).execute();
}

/** Revokes every live token of a user (disabled); returns how many. */
export async function revokeTokensOfUser(
  db: Kysely<DB>,
  userId: number,
  at: string,
): Promise<number> {
  const result = await db
    .updateTable("api_tokens")
    .set({ revoked_at: at })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function touchToken(db: Kysely<DB>, id: number, at: string): Promise<void> {
  await db.updateTable("api_tokens").set({ last_used_at: at }).where("id", "=", id).execute();
}
