import type { Generated, Insertable, Selectable } from "kysely";

export interface AuditEventTable {
  id: Generated<number>;
  occurred_at: string;
  /** No foreign key: the log outlives users, numbers and hierarchy it mentions. */
  actor_user_id: number | null;
  actor_email: string;
  action: string;
  subject_type: string;
  subject_id: number | null;
  /** Where it happened, for filtering the log by the reader's scope. */
  business_id: number | null;
  business_unit_id: number | null;
  program_id: number | null;
  phone_number: string | null;
  summary: string;
  before_json: string | null;
  after_json: string | null;
}
export type AuditEvent = Selectable<AuditEventTable>;
export type NewAuditEvent = Insertable<AuditEventTable>;
