import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { Scope } from "../../domain/permissions.js";
import { insertAuditEvent } from "../../queries/audit-events.js";

/** Where a change happened, so the log can later be filtered by the reader's scope. */
export interface AuditPlace {
  businessId: number | null;
  unitId?: number | null;
  programId?: number | null;
}

/** Who did it: a user, or (for a failed sign-in with an unknown email) only the email tried. */
export interface AuditActor {
  id: number | null;
  email: string;
  /** The API token the request came with, if any. */
  token?: { id: number; name: string };
}

/** The place of a user's scope, for events about users and sessions. */
export function auditPlaceOf(scope: Scope): AuditPlace {
  return scope.kind === "portal"
    ? { businessId: null }
    : { businessId: scope.businessId, unitId: scope.kind === "unit" ? scope.unitId : null };
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

/**
 * The actor columns of an event. Id 0 is the command line (no user row): "no user". Every
 * column is always present, so rows of one multi-row insert share the same columns.
 */
export function actorColumns(actor: AuditActor): {
  actor_user_id: number | null;
  actor_email: string;
  actor_token_id: number | null;
  actor_token_name: string | null;
} {
  return {
    actor_user_id: actor.id === null || actor.id <= 0 ? null : actor.id,
    actor_email: actor.email,
    actor_token_id: actor.token?.id ?? null,
    actor_token_name: actor.token?.name ?? null,
  };
}

/** Writes one audit event (its id returned); call it in the transaction of the change. */
export async function recordAudit(
  trx: Kysely<DB>,
  actor: AuditActor,
  entry: AuditEntry,
  at: string,
): Promise<number> {
  return insertAuditEvent(trx, {
    occurred_at: at,
    ...actorColumns(actor),
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
