import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { CallPurpose } from "../../db/tables/hierarchy.js";
import { inWriteTransaction } from "../../db/transaction.js";
import { NotFoundError } from "../../domain/errors.js";
import type { CurrentUser } from "../../domain/permissions.js";
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

/** Every call purpose, retired ones included (the portal admin's list). */
export function allCallPurposes(db: Kysely<DB>): Promise<CallPurpose[]> {
  return listCallPurposes(db);
}

/** One call purpose by id; a missing one is a 404. */
export async function callPurposeById(db: Kysely<DB>, id: number): Promise<CallPurpose> {
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
