import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import type { AuditEvent, NewAuditEvent } from "../db/tables/audit.js";

/** Writes one event; its id is, for a removal, the id Restore and Undo name it by. */
export async function insertAuditEvent(db: Kysely<DB>, event: NewAuditEvent): Promise<number> {
  const { id } = await db
    .insertInto("audit_events")
    .values(event)
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
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

/** Which events a history page lists: a level's, within the reader's scope, filtered. */
export interface EventFilter {
  businessId: number;
  unitId: number | null;
  programId: number | null;
  actions: string[] | null;
  actorEmail: string | null;
  phoneDigits: string | null;
  from: string | null;
  /** Exclusive upper bound (ISO timestamp). */
  until: string | null;
}

function filteredEvents(db: Kysely<DB>, f: EventFilter) {
  let query = db.selectFrom("audit_events").where("business_id", "=", f.businessId);
  if (f.unitId !== null) query = query.where("business_unit_id", "=", f.unitId);
  if (f.programId !== null) query = query.where("program_id", "=", f.programId);
  if (f.actions !== null) query = query.where("action", "in", f.actions.length ? f.actions : [""]);
  if (f.actorEmail !== null) query = query.where("actor_email", "=", f.actorEmail);
  if (f.phoneDigits !== null) query = query.where("phone_number", "like", `%${f.phoneDigits}%`);
  if (f.from !== null) query = query.where("occurred_at", ">=", f.from);
  if (f.until !== null) query = query.where("occurred_at", "<", f.until);
  return query;
}

export function listEvents(
  db: Kysely<DB>,
  f: EventFilter,
  limit: number,
  offset: number,
): Promise<AuditEvent[]> {
  return filteredEvents(db, f)
    .selectAll()
    .orderBy("id", "desc")
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function countEvents(db: Kysely<DB>, f: EventFilter): Promise<number> {
  const row = await filteredEvents(db, f)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function findEvent(db: Kysely<DB>, id: number): Promise<AuditEvent | undefined> {
  return db.selectFrom("audit_events").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Restore events name the removal they undid (subject "removal", id of the remove event). */
export async function restoredRemovalIds(
  db: Kysely<DB>,
  removalIds: number[],
): Promise<Set<number>> {
  if (removalIds.length === 0) return new Set();
  const rows = await db
    .selectFrom("audit_events")
    .select("subject_id")
    .where("subject_type", "=", "removal")
    .where("subject_id", "in", removalIds)
    .execute();
  return new Set(rows.map((r) => Number(r.subject_id)));
}

/** The removal events written by one run (a job's events share its timestamp). */
export function listRemovalsAt(
  db: Kysely<DB>,
  businessId: number,
  occurredAt: string,
): Promise<AuditEvent[]> {
  return db
    .selectFrom("audit_events")
    .selectAll()
    .where("business_id", "=", businessId)
    .where("occurred_at", "=", occurredAt)
    .where("action", "=", "number.remove")
    .execute();
}

/** When each of these jobs was undone, and by whom (its job.undo event), if it was. */
export async function jobUndos(
  db: Kysely<DB>,
  jobIds: number[],
): Promise<Map<number, { occurred_at: string; actor_email: string }>> {
  if (jobIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("audit_events")
    .select(["subject_id", "occurred_at", "actor_email"])
    .where("action", "=", "job.undo")
    .where("subject_type", "=", "job")
    .where("subject_id", "in", jobIds)
    .orderBy("id")
    .execute();
  return new Map(rows.map((r) => [Number(r.subject_id), r]));
}
