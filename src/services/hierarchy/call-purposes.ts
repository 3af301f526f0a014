import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { CallPurpose } from "../../db/tables/hierarchy.js";
import { inWriteTransaction } from "../../db/transaction.js";
import { ForbiddenError, NotFoundError } from "../../domain/errors.js";
import { type CurrentUser, canManagePortal } from "../../domain/permissions.js";
import {
  findCallPurpose,
  findCallPurposeByName,
  insertCallPurpose,
  listActiveCallPurposes,
  listCallPurposes,
  updateCallPurpose,
} from "../../queries/call-purposes.js";
import { recordAudit } from "../audit/audit.js";
import { checkName, type NameRule, writeNamed } from "./named-writes.js";

/** The seeded purpose whose choice warns that the number must never place calls. */
export const DO_NOT_ORIGINATE_CODE = "do_not_originate";

/** The catalog is the portal admin's: other roles only meet purposes in dropdowns. */
export function requireCatalogManager(actor: CurrentUser): void {
  if (!canManagePortal(actor)) {
    throw new ForbiddenError("Only a portal admin can manage call purposes.");
  }
}

/** Every call purpose, retired ones included (the portal admin's list). */
export async function allCallPurposes(db: Kysely<DB>, actor: CurrentUser): Promise<CallPurpose[]> {
  requireCatalogManager(actor);
  return listCallPurposes(db);
}

/** One call purpose to manage by id: a portal admin's only (403); a missing one is a 404. */
export async function callPurposeById(
  db: Kysely<DB>,
  actor: CurrentUser,
  id: number,
): Promise<CallPurpose> {
  requireCatalogManager(actor);
  const purpose = await findCallPurpose(db, id);
  if (!purpose) throw new NotFoundError("No such call purpose.");
  return purpose;
}

/**
 * The purposes a form offers. A retired purpose stays on what has it and is offered as its
 * current one, so saving the form unchanged never moves a number or program off it.
 */
export async function purposeChoices(
  db: Kysely<DB>,
  currentId: number | null = null,
): Promise<CallPurpose[]> {
  const active = await listActiveCallPurposes(db);
  if (currentId === null || active.some((p) => p.id === currentId)) return active;
  const current = await findCallPurpose(db, currentId);
  return current ? [...active, current] : active;
}

export interface CallPurposeInput {
  name: string;
}

const purposeNames: NameRule = {
  noun: "call purpose",
  findByName: findCallPurposeByName,
  taken: (name) => `A call purpose named “${name}” already exists.`,
};

const portalPlace = { businessId: null };

export async function createCallPurpose(
  db: Kysely<DB>,
  actor: CurrentUser,
  input: CallPurposeInput,
): Promise<CallPurpose> {
  requireCatalogManager(actor);
  const now = new Date().toISOString();
  return writeNamed(db, purposeNames, input.name, async (trx) => {
    const name = await checkName(trx, purposeNames, input.name, null);
    const purpose = await insertCallPurpose(trx, { name, created_at: now, updated_at: now });
    await recordAudit(
      trx,
      actor,
      {
        action: "call_purpose.create",
        subjectType: "call_purpose",
        subjectId: purpose.id,
        place: portalPlace,
        summary: `Added call purpose ${name}`,
        after: { name },
      },
      now,
    );
    return purpose;
  });
}

export async function renameCallPurpose(
  db: Kysely<DB>,
  actor: CurrentUser,
  id: number,
  input: CallPurposeInput,
): Promise<CallPurpose> {
  requireCatalogManager(actor);
  const now = new Date().toISOString();
  return writeNamed(db, purposeNames, input.name, async (trx) => {
    const before = await findCallPurpose(trx, id);
    if (!before) throw new NotFoundError("No such call purpose.");
    const name = await checkName(trx, purposeNames, input.name, id);
    if (name !== before.name) {
      await updateCallPurpose(trx, id, { name, updated_at: now });
      await recordAudit(
        trx,
        actor,
        {
          action: "call_purpose.update",
          subjectType: "call_purpose",
          subjectId: id,
          place: portalPlace,
          summary: `Renamed call purpose ${before.name} to ${name}`,
          before: { name: before.name },
          after: { name },
        },
        now,
      );
    }
    return { ...before, name, updated_at: now };
  });
}

/**
 * Retiring hides a purpose from dropdowns; numbers and programs that use it keep it.
 * Reinstating offers it again. Both are idempotent.
 */
export async function setCallPurposeRetired(
  db: Kysely<DB>,
  actor: CurrentUser,
  id: number,
  retired: boolean,
): Promise<CallPurpose> {
  requireCatalogManager(actor);
  const now = new Date().toISOString();
  return inWriteTransaction(db, async (trx) => {
    const before = await findCallPurpose(trx, id);
    if (!before) throw new NotFoundError("No such call purpose.");
    if ((before.retired_at !== null) === retired) return before;
    const retired_at = retired ? now : null;
    await updateCallPurpose(trx, id, { retired_at, updated_at: now });
    await recordAudit(
      trx,
      actor,
      {
        action: retired ? "call_purpose.retire" : "call_purpose.reinstate",
        subjectType: "call_purpose",
        subjectId: id,
        place: portalPlace,
        summary: `${retired ? "Retired" : "Reinstated"} call purpose ${before.name}`,
        before: { retired_at: before.retired_at },
        after: { retired_at },
      },
      now,
    );
    return { ...before, retired_at, updated_at: now };
  });
}
