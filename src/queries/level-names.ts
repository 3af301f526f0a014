import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";

/** Every name a list of numbers shows, read in four small queries (a few thousand rows). */
export async function readDirectory(db: Kysely<DB>) {
  return {
    businesses: await db.selectFrom("businesses").select(["id", "name"]).execute(),
    units: await db.selectFrom("business_units").select(["id", "name"]).execute(),
    programs: await db
      .selectFrom("programs")
      .select(["id", "name", "display_name", "starts_on", "ends_on"])
      .execute(),
    purposes: await db.selectFrom("call_purposes").select(["id", "name", "code"]).execute(),
  };
}
