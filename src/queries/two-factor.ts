import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { SignInChallenge, TwoFactor } from "../db/tables/two-factor.js";

export function findTwoFactor(db: Kysely<DB>, userId: number): Promise<TwoFactor | undefined> {
  return db.selectFrom("two_factor").selectAll().where("user_id", "=", userId).executeTakeFirst();
}

export async function savePendingSecret(
  db: Kysely<DB>,
  userId: number,
  secret: string,
): Promise<void> {
  await db
    .insertInto("two_factor")
    .values({ user_id: userId, pending_secret: secret, secret: null, enabled_at: null })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ pending_secret: secret }))
    .execute();
}

export async function enableTwoFactor(
  db: Kysely<DB>,
  userId: number,
  secret: string,
  step: number,
  at: string,
): Promise<void> {
  await db
    .updateTable("two_factor")
    .set({ secret, pending_secret: null, last_step: step, enabled_at: at })
    .where("user_id", "=", userId)
    .execute();
}

/**
 * Moves last_step forward to `step` only if it is behind: of two requests with the same code,
 * one wins. Returns whether this one did.
 */
export async function claimStep(db: Kysely<DB>, userId: number, step: number): Promise<boolean> {
  const result = await db
    .updateTable("two_factor")
    .set({ last_step: step })
    .where("user_id", "=", userId)
    .where("last_step", "<", step)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteTwoFactor(db: Kysely<DB>, userId: number): Promise<number> {
  await db.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
  const result = await db.deleteFrom("two_factor").where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function replaceRecoveryCodes(
  db: Kysely<DB>,
  userId: number,
  hashes: string[],
): Promise<void> {
  await db.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
  await db
    .insertInto("recovery_codes")
    .values(hashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null })))
    .execute();
}

/** Marks an unused recovery code used; false when there is none (wrong, or used already). */
export async function useRecoveryCode(
  db: Kysely<DB>,
  userId: number,
  hash: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable("recovery_codes")
    .set({ used_at: at })
    .where("user_id", "=", userId)
    .where("code_hash", "=", hash)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertChallenge(db: Kysely<DB>, values: SignInChallenge): Promise<void> {
  await db
    .deleteFrom("sign_in_challenges")
    .where("expires_at", "<=", new Date().toISOString())
    .execute();
  await db.insertInto("sign_in_challenges").values(values).execute();
}

export function findChallenge(db: Kysely<DB>, id: string): Promise<SignInChallenge | undefined> {
  return db.selectFrom("sign_in_challenges").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function deleteChallenge(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom("sign_in_challenges").where("id", "=", id).execute();
}

/** Whether a rule covers this user: the whole portal's, or their business's. */
export async function isTwoFactorRequired(
  db: Kysely<DB>,
  businessId: number | null,
): Promise<boolean> {
  const row = await db
    .selectFrom("two_factor_rules")
    .select("id")
    .where((eb) =>
      businessId === null
        ? eb("business_id", "is", null)
        : eb.or([eb("business_id", "is", null), eb("business_id", "=", businessId)]),
    )
    .executeTakeFirst();
  return row !== undefined;
}

export async function countUnusedRecoveryCodes(db: Kysely<DB>, userId: number): Promise<number> {
  const row = await db
    .selectFrom("recovery_codes")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The businesses a rule covers, and whether one covers the whole portal. */
export async function listTwoFactorRules(
  db: Kysely<DB>,
): Promise<Array<{ business_id: number | null }>> {
  return db.selectFrom("two_factor_rules").select("business_id").execute();
}

/** Adds the rule for a place (null: the whole portal); false when it was there already. */
export async function insertTwoFactorRule(
  db: Kysely<DB>,
  businessId: number | null,
  at: string,
): Promise<boolean> {
  const existing = await db
    .selectFrom("two_factor_rules")
    .select("id")
    .where("business_id", businessId === null ? "is" : "=", businessId)
    .executeTakeFirst();
  if (existing) return false;
  await db
    .insertInto("two_factor_rules")
    .values({ business_id: businessId, created_at: at })
    .execute();
  return true;
}

/** Removes the rule for a place; false when there was none. */
export async function deleteTwoFactorRule(
  db: Kysely<DB>,
  businessId: number | null,
): Promise<boolean> {
  const result = await db
    .deleteFrom("two_factor_rules")
    .where("business_id", businessId === null ? "is" : "=", businessId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
