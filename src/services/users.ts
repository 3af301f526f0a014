import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import { inWriteTransaction } from "../db/sqlite.js";
import type { User } from "../db/tables/users.js";
import type { CurrentUser, Scope } from "../domain/permissions.js";
import { findFirstPortalAdmin, insertUser } from "../queries/users.js";
import { recordAudit } from "./audit.js";

export function scopeOf(user: Pick<User, "role" | "business_id" | "business_unit_id">): Scope {
  if (user.role === "portal_admin" || user.business_id === null) return { kind: "portal" };
  if (user.business_unit_id !== null) {
    return { kind: "unit", businessId: user.business_id, unitId: user.business_unit_id };
  }
  return { kind: "business", businessId: user.business_id };
}

export function toCurrentUser(user: User): CurrentUser {
  return { id: user.id, email: user.email, role: user.role, scope: scopeOf(user) };
}

/**
 * Makes sure a portal admin exists, creating one on first start. Passwords and sign-in
 * arrive with issue 3; until then every request acts as this admin.
 */
export async function ensurePortalAdmin(db: Kysely<DB>, email: string): Promise<User> {
  return inWriteTransaction(db, async (trx) => {
    const existing = await findFirstPortalAdmin(trx);
    if (existing) return existing;
    const now = new Date().toISOString();
    const user = await insertUser(trx, {
      email,
      role: "portal_admin",
      business_id: null,
      business_unit_id: null,
      password_hash: null,
      disabled_at: null,
      created_at: now,
      updated_at: now,
    });
    await recordAudit(
      trx,
      toCurrentUser(user),
      {
        action: "user.create",
        subjectType: "user",
        subjectId: user.id,
        place: { businessId: null },
        summary: `Created the first portal admin ${email}`,
        after: { email, role: user.role },
      },
      now,
    );
    return user;
  });
}
