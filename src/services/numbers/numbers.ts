import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { inNumbersTransaction } from "../../db/transaction.js";
import { PROGRAM_STATUS_LABELS, programStatus, today } from "../../domain/duration.js";
import { ForbiddenError, NotFoundError, ValidationError } from "../../domain/errors.js";
import { type CurrentUser, canEditNumbers, canSeeNumber } from "../../domain/permissions.js";
import { formatNational } from "../../domain/phone-format.js";
import { listEventsForPhoneNumber } from "../../queries/audit-events.js";
import { findCallPurpose } from "../../queries/call-purposes.js";
import {
  deleteNumber,
  findNumberRow,
  type NumberRow,
  updateNumberPurpose,
} from "../../queries/numbers.js";
import { recordAudit } from "../audit/audit.js";
import { DO_NOT_ORIGINATE_CODE } from "../hierarchy/call-purposes.js";
import type { ReadCache } from "../read-cache.js";

/** Where a number stands: in a program (with its status), or in no program. */
type NumberStatus = "active" | "scheduled" | "expired" | "unassigned";

const NUMBER_STATUS_LABELS: Record<NumberStatus, string> = {
  ...PROGRAM_STATUS_LABELS,
  unassigned: "Unassigned",
};

/** A number as pages show it. */
export interface NumberView extends NumberRow {
  national: string;
  status: NumberStatus;
  statusLabel: string;
  /** True only while it sits in an Active program: then it shows the display name. */
  brands: boolean;
  doNotOriginate: boolean;
}

export function toNumberView(row: NumberRow, on: string = today()): NumberView {
  const status: NumberStatus =
    row.program_id === null
      ? "unassigned"
      : programStatus({ startsOn: row.starts_on, endsOn: row.ends_on }, on);
  // Extends the row in place (rows are fresh per request): copying 16 fields for each of a
  // page's 50 rows cost more than everything else this function does.
  return Object.assign(row, {
    national: formatNational(row.e164),
    status,
    statusLabel: NUMBER_STATUS_LABELS[status],
    brands: status === "active",
    doNotOriginate: row.purpose_code === DO_NOT_ORIGINATE_CODE,
  });
}

/**
 * A number the user may see; anything else is "no such number" (404), whoever owns it. With
 * a read cache (View Assignments, opened far more often than anything is changed), the row is
 * read again only when the data moves.
 */
export async function findVisibleNumber(
  db: Kysely<DB>,
  user: CurrentUser,
  id: number,
  cache?: ReadCache,
): Promise<NumberView> {
  const find = () => findNumberRow(db, id);
  const row = await (cache ? cache.get(`number:${id}`, find) : find());
  if (!row || !canSeeNumber(user, row)) throw new NotFoundError("No such phone number.");
  return toNumberView(row);
}

/** A number the user may also change: visible (else 404) and a role that edits (else 403). */
export async function findEditableNumber(
  db: Kysely<DB>,
  user: CurrentUser,
  id: number,
): Promise<NumberView> {
  const number = await findVisibleNumber(db, user, id);
  if (!canEditNumbers(user))
    throw new ForbiddenError("Your role can view numbers but not change them.");
  return number;
}

export interface HistoryEntry {
  occurred_at: string;
  actor_email: string;
  summary: string;
}

/** The latest changes to a number, from the audit log (newest first). */
export async function numberHistory(
  db: Kysely<DB>,
  e164: string,
  cache?: ReadCache,
  limit = 10,
): Promise<HistoryEntry[]> {
  const list = () => listEventsForPhoneNumber(db, e164, limit);
  return cache ? cache.get(`history:${e164}:${limit}`, list) : list();
}

const placeOf = (n: NumberRow) => ({
  businessId: n.business_id,
  unitId: n.business_unit_id,
  programId: n.program_id,
});

export async function changeNumberPurpose(
  db: Kysely<DB>,
  user: CurrentUser,
  id: number,
  rawPurpose: string,
): Promise<NumberView> {
  const purposeId = /^\d{1,15}$/.test(rawPurpose.trim()) ? Number(rawPurpose.trim()) : null;
  return inNumbersTransaction(db, async (trx) => {
    const before = await findEditableNumber(trx, user, id);
    const purpose = purposeId === null ? undefined : await findCallPurpose(trx, purposeId);
    if (!purpose)
      throw new ValidationError({ call_purpose: "Choose a call purpose from the list." });
    if (purpose.retired_at !== null && purpose.id !== before.call_purpose_id) {
      throw new ValidationError({
        call_purpose: `${purpose.name} is retired; choose another call purpose.`,
      });
    }
    if (purpose.id === before.call_purpose_id) return before;
    const now = new Date().toISOString();
    await updateNumberPurpose(trx, id, purpose.id, now);
    await recordAudit(
      trx,
      user,
      {
        action: "number.update",
        subjectType: "phone_number",
        subjectId: id,
        place: placeOf(before),
        phoneNumber: before.e164,
        summary: `Changed the call purpose of ${before.national} from ${before.purpose_name} to ${purpose.name}`,
        before: { call_purpose: before.purpose_name, call_purpose_id: before.call_purpose_id },
        after: { call_purpose: purpose.name, call_purpose_id: purpose.id },
      },
      now,
    );
    const after = await findNumberRow(trx, id);
    if (!after) throw new NotFoundError("No such phone number.");
    return toNumberView(after);
  });
}

/**
 * Removes a number in one transaction with an audit event holding a full snapshot of it
 * (where it was, its purpose, what it displayed), from which it can later be restored: the
 * removal's id is returned with the number, for the Undo the confirmation offers.
 */
export async function removeNumber(
  db: Kysely<DB>,
  user: CurrentUser,
  id: number,
): Promise<NumberView & { removalId: number }> {
  return inNumbersTransaction(db, async (trx) => {
    const number = await findEditableNumber(trx, user, id);
    const now = new Date().toISOString();
    await deleteNumber(trx, id);
    const removalId = await recordAudit(
      trx,
      user,
      {
        action: "number.remove",
        subjectType: "phone_number",
        subjectId: id,
        place: placeOf(number),
        phoneNumber: number.e164,
        summary: number.brands
          ? `Removed ${number.national}; it no longer displays ${number.display_name}`
          : `Removed ${number.national}`,
        before: {
          e164: number.e164,
          business_id: number.business_id,
          business_unit_id: number.business_unit_id,
          program_id: number.program_id,
          call_purpose_id: number.call_purpose_id,
          created_at: number.created_at,
          updated_at: number.updated_at,
          business_name: number.business_name,
          unit_name: number.unit_name,
          program_name: number.program_name,
          display_name: number.display_name,
          call_purpose: number.purpose_name,
        },
      },
      now,
    );
    return { ...number, removalId };
  });
}
