import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { Business } from "../../db/tables/hierarchy.js";
import { inWriteTransaction } from "../../db/transaction.js";
import { ConflictError, ForbiddenError, NotFoundError } from "../../domain/errors.js";
import { type CurrentUser, canManagePortal } from "../../domain/permissions.js";
import {
  type BusinessRow,
  deleteBusinessTree,
  findBusiness,
  findBusinessByName,
  insertBusiness,
  listBusinesses,
  renameBusiness,
} from "../../queries/businesses.js";
import { countBusinessHoldings, type Holdings } from "../../queries/holdings.js";
import { recordAudit } from "../audit/audit.js";
import { type DeletionCheck, describeDeletion } from "./deletion-check.js";
import { checkName, type NameRule, writeNamed } from "./named-writes.js";

export interface BusinessInput {
  name: string;
}

/** Businesses are the portal admin's to manage; others only ever see their own. */
export function requireBusinessManager(actor: CurrentUser): void {
  if (!canManagePortal(actor)) {
    throw new ForbiddenError("Only a portal admin can manage businesses.");
  }
}

/** The portal admin's list of every business. */
export async function listBusinessesFor(
  db: Kysely<DB>,
  actor: CurrentUser,
): Promise<BusinessRow[]> {
  requireBusinessManager(actor);
  return listBusinesses(db, null);
}

const businessNames: NameRule = {
  noun: "business",
  findByName: findBusinessByName,
  taken: (name) => `A business named “${name}” already exists.`,
};

export async function createBusiness(
  db: Kysely<DB>,
  actor: CurrentUser,
  input: BusinessInput,
): Promise<Business> {
  requireBusinessManager(actor);
  const now = new Date().toISOString();
  return writeNamed(db, businessNames, input.name, async (trx) => {
    const name = await checkName(trx, businessNames, input.name, null);
    const business = await insertBusiness(trx, { name, created_at: now, updated_at: now });
    await recordAudit(
      trx,
      actor,
      {
        action: "business.create",
        subjectType: "business",
        subjectId: business.id,
        place: { businessId: business.id },
        summary: `Created business ${name}`,
        after: { name },
      },
      now,
    );
    return business;
  });
}

export async function updateBusiness(
  db: Kysely<DB>,
  actor: CurrentUser,
  id: number,
  input: BusinessInput,
): Promise<Business> {
  requireBusinessManager(actor);
  const now = new Date().toISOString();
  return writeNamed(db, businessNames, input.name, async (trx) => {
    const before = await findBusiness(trx, id);
    if (!before) throw new NotFoundError("No such business.");
    const name = await checkName(trx, businessNames, input.name, id);
    if (name !== before.name) {
      await renameBusiness(trx, id, name, now);
      await recordAudit(
        trx,
        actor,
        {
          action: "business.update",
          subjectType: "business",
          subjectId: id,
          place: { businessId: id },
          summary: `Renamed business ${before.name} to ${name}`,
          before: { name: before.name },
          after: { name },
        },
        now,
      );
    }
    return { ...before, name, updated_at: now };
  });
}

export async function checkBusinessDeletion(db: Kysely<DB>, id: number): Promise<DeletionCheck> {
  const holdings: Holdings = await countBusinessHoldings(db, id);
  return describeDeletion("business", holdings);
}

export async function deleteBusiness(
  db: Kysely<DB>,
  actor: CurrentUser,
  id: number,
): Promise<Business> {
  requireBusinessManager(actor);
  const now = new Date().toISOString();
  return inWriteTransaction(db, async (trx) => {
    const before = await findBusiness(trx, id);
    if (!before) throw new NotFoundError("No such business.");
    const check = describeDeletion("business", await countBusinessHoldings(trx, id));
    if (!check.allowed) throw new ConflictError(`${before.name} ${check.message}`);
    await deleteBusinessTree(trx, id);
    await recordAudit(
      trx,
      actor,
      {
        action: "business.delete",
        subjectType: "business",
        subjectId: id,
        place: { businessId: id },
        summary: `Deleted business ${before.name}`,
        before: { name: before.name, ...check.holdings },
      },
      now,
    );
    return before;
  });
}

/** One business to manage by id: a portal admin's only (403); a missing one is a 404. */
export async function businessById(
  db: Kysely<DB>,
  actor: CurrentUser,
  id: number,
): Promise<Business> {
  requireBusinessManager(actor);
  const business = await findBusiness(db, id);
  if (!business) throw new NotFoundError("No such business.");
  return business;
}
