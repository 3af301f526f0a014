import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { CurrentUser } from "../domain/permissions.js";
import { insertAuditEvent } from "../queries/audit-events.js";

/** Where a change happened, so the log can later be filtered by the reader's scope. */
export interface AuditPlace {
  businessId: number | null;
  unitId?: number | null;
  programId?: number | null;
}

export interface AuditEntry {
  action: string;
  subjectType: string;
  subjectId: number | null;
  place: AuditPlace;
  summary: string;
  phoneNumber?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Writes one audit event; call it with the same transaction as the change it records. */
export async function recordAudit(
  trx: Kysely<DB>,
  actor: CurrentUser,
  entry: AuditEntry,
  at: string,
): Promise<void> {
  await insertAuditEvent(trx, {
    occurred_at: at,
    actor_user_id: actor.id,
    actor_email: actor.email,
    action: entry.action,
    subject_type: entry.subjectType,
    subject_id: entry.subjectId,
    business_id: entry.place.businessId,
    business_unit_id: entry.place.unitId ?? null,
    program_id: entry.place.programId ?? null,
    phone_number: entry.phoneNumber ?? null,
    summary: entry.summary,
    before_json: entry.before === undefined ? null : JSON.stringify(entry.before),
    after_json: entry.after === undefined ? null : JSON.stringify(entry.after),
  });
}
