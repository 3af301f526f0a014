import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { AuditEvent, NewAuditEvent } from "../db/tables/audit.js";

export async function insertAuditEvent(db: Kysely<DB>, event: NewAuditEvent): Promise<void> {
  await db.insertInto("audit_events").values(event).execute();
}

/** Latest events about one subject, newest first. */
export function listEventsForSubject(
  db: Kysely<DB>,
  subjectType: string,
  subjectId: number,
  limit: number,
): Promise<AuditEvent[]> {
  return db
    .selectFrom("audit_events")
    .selectAll()
    .where("subject_type", "=", subjectType)
    .where("subject_id", "=", subjectId)
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/** Latest events about one phone number (by E.164, so history survives its removal). */
export function listEventsForPhoneNumber(
  db: Kysely<DB>,
  e164: string,
  limit: number,
): Promise<Array<Pick<AuditEvent, "occurred_at" | "actor_email" | "summary">>> {
  return db
    .selectFrom("audit_events")
    .select(["occurred_at", "actor_email", "summary"])
    .where("phone_number", "=", e164)
    .orderBy("occurred_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/** Many events at once (a bulk run writes one per number), 200 rows a statement. */
export async function insertAuditEvents(db: Kysely<DB>, events: NewAuditEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 200) {
    await db
      .insertInto("audit_events")
      .values(events.slice(i, i + 200))
      .execute();
  }
}
