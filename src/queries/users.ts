import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { NewUser, User } from "../db/tables/users.js";

export function findFirstPortalAdmin(db: Kysely<DB>): Promise<User | undefined> {
  return db
    .selectFrom("users")
    .selectAll()
    .where("role", "=", "portal_admin")
    .where("disabled_at", "is", null)
    .orderBy("id")
    .executeTakeFirst();
}

export function insertUser(db: Kysely<DB>, values: NewUser): Promise<User> {
  return db.insertInto("users").values(values).returningAll().executeTakeFirstOrThrow();
}
