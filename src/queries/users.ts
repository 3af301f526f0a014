import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { NewUser, User, UserUpdate } from "../db/tables/users.js";

export function countUsers(db: Kysely<DB>): Promise<number> {
  return db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n));
}

export function insertUser(db: Kysely<DB>, values: NewUser): Promise<User> {
  return db.insertInto("users").values(values).returningAll().executeTakeFirstOrThrow();
}

/** Case-insensitive, as the unique index is. */
export function findUserByEmail(db: Kysely<DB>, email: string): Promise<User | undefined> {
  return db
    .selectFrom("users")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.toLowerCase()))
    .executeTakeFirst();
}

export function findUser(db: Kysely<DB>, id: number): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function updateUserRow(db: Kysely<DB>, id: number, values: UserUpdate): Promise<void> {
  await db.updateTable("users").set(values).where("id", "=", id).execute();
}

export interface UserRow extends User {
  business_name: string | null;
  unit_name: string | null;
  /** When the user's second factor was confirmed; null when they have none. */
  two_factor_since: string | null;
}

/** Which users a list shows: everyone, a business's (its units' included), or one unit's. */
export type UserFilter =
  | { kind: "all" }
  | { kind: "business"; businessId: number }
  | { kind: "unit"; unitId: number };

export function listUsers(db: Kysely<DB>, filter: UserFilter): Promise<UserRow[]> {
  let query = db
    .selectFrom("users as u")
    .leftJoin("businesses as b", "b.id", "u.business_id")
    .leftJoin("business_units as bu", "bu.id", "u.business_unit_id")
    .leftJoin("two_factor as tf", "tf.user_id", "u.id")
    .selectAll("u")
    .select([
      "b.name as business_name",
      "bu.name as unit_name",
      "tf.enabled_at as two_factor_since",
    ])
    .orderBy("u.email");
  if (filter.kind === "business") query = query.where("u.business_id", "=", filter.businessId);
  if (filter.kind === "unit") query = query.where("u.business_unit_id", "=", filter.unitId);
  return query.execute();
}

export function findUserRow(db: Kysely<DB>, id: number): Promise<UserRow | undefined> {
  return db
    .selectFrom("users as u")
    .leftJoin("businesses as b", "b.id", "u.business_id")
    .leftJoin("business_units as bu", "bu.id", "u.business_unit_id")
    .leftJoin("two_factor as tf", "tf.user_id", "u.id")
    .selectAll("u")
    .select([
      "b.name as business_name",
      "bu.name as unit_name",
      "tf.enabled_at as two_factor_since",
    ])
    .where("u.id", "=", id)
    .executeTakeFirst();
}
