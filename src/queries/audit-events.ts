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
