/**
 * Where two-factor sign-in is required: the whole portal, or one business at a time. Only a
 * portal admin sets the rules; a user a rule covers enrols at their next sign-in.
 */
import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { inWriteTransaction } from "../../db/transaction.js";
import { ForbiddenError, ValidationError } from "../../domain/errors.js";
import { type CurrentUser, canManagePortal } from "../../domain/permissions.js";
import {
  deleteTwoFactorRule,
  insertTwoFactorRule,
  listTwoFactorRules,
} from "../../queries/two-factor.js";
import { recordAudit } from "../audit/audit.js";
import { businessById } from "../hierarchy/businesses.js";

export interface TwoFactorRules {
  /** Required for everyone, portal admins included. */
  portal: boolean;
  /** Businesses whose users must use it. */
  businessIds: number[];
}

function portalAdminOnly(actor: CurrentUser): void {
  if (!canManagePortal(actor)) {
    throw new ForbiddenError(
      "Only a portal admin can decide where two-factor sign-in is required.",
    );
  }
}

export async function loadTwoFactorRules(
  db: Kysely<DB>,
  actor: CurrentUser,
): Promise<TwoFactorRules> {
  portalAdminOnly(actor);
  const rows = await listTwoFactorRules(db);
  return {
    portal: rows.some((r) => r.business_id === null),
    businessIds: rows.flatMap((r) => (r.business_id === null ? [] : [r.business_id])),
  };
}

/**
 * Requires (`yes`) or stops requiring (`no`) a second factor for the whole portal
 * (`businessId` null) or one business. Returns the place's name, the rule, and whether
 * anything changed; audited when it did.
 */
export async function setTwoFactorRule(
  db: Kysely<DB>,
  actor: CurrentUser,
  businessId: number | null,
  answer: string,
): Promise<{ place: string; required: boolean; changed: boolean }> {
  portalAdminOnly(actor);
  if (answer !== "yes" && answer !== "no") {
    throw new ValidationError({ required: "Send required=yes or required=no." });
  }
  const required = answer === "yes";
  const place =
    businessId === null ? "the whole portal" : (await businessById(db, actor, businessId)).name;
  const changed = await inWriteTransaction(db, async (trx) => {
    const now = new Date().toISOString();
    const changed = required
      ? await insertTwoFactorRule(trx, businessId, now)
      : await deleteTwoFactorRule(trx, businessId);
    if (changed) {
      await recordAudit(
        trx,
        actor,
        {
          action: required ? "two_factor.require" : "two_factor.optional",
          subjectType: businessId === null ? "portal" : "business",
          subjectId: businessId,
          place: { businessId },
          summary: required
            ? `Required two-factor sign-in for ${place}`
            : `Made two-factor sign-in optional for ${place}`,
        },
        now,
      );
    }
    return changed;
  });
  return { place, required, changed };
}
