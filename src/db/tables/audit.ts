import type { Generated, Insertable, Selectable } from "kysely";

export interface AuditEventTable {
  id: Generated<number>;
  occurred_at: string;
  /** No foreign key: the log outlives users, numbers and hierarchy it mentions. */
  actor_user_id: number | null;
  actor_email: string;
  /** The API token the change was made with (null: a browser session or the command line). */
  actor_token_id: number | null;
  /** Its name then, so the log still says which token after it is revoked. */
  actor_token_name: string | null;
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
