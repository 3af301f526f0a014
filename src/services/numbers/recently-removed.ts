/**
 * Recently Removed and Undo: every removal's audit event holds a snapshot of the number
 * (where it was, its purpose, when it was added), from which it can be put back for 30 days.
 */
import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { isConstraintViolation } from "../../db/errors.js";
import type { AuditEvent } from "../../db/tables/audit.js";
import type { Job } from "../../db/tables/jobs.js";
import { inNumbersTransaction } from "../../db/transaction.js";
import { ConflictError, ForbiddenError, NotFoundError } from "../../domain/errors.js";
import type { Level } from "../../domain/levels.js";
import { type CurrentUser, canEditNumbers, canSeeNumber } from "../../domain/permissions.js";
import { formatNational } from "../../domain/phone-format.js";
import {
  countEvents,
  type EventFilter,
  findEvent,
  jobUndos,
  listEvents,
  listRemovalsAt,
  restoredRemovalIds,
} from "../../queries/audit-events.js";
import { findNumbersByE164, insertNumbers, numberIdInUse } from "../../queries/numbers.js";
import { recordAudit } from "../audit/audit.js";

export const RESTORE_DAYS = 30;

/** What a removal event remembers of the number. */
interface Snapshot {
  e164: string;
  business_id: number;
  business_unit_id: number | null;
  program_id: number | null;
  call_purpose_id: number;
  created_at: string;
}

function snapshotOf(event: AuditEvent): Snapshot | null {
  try {
    const s = JSON.parse(event.before_json ?? "null") as Partial<Snapshot> | null;
    if (!s || typeof s.e164 !== "string" || typeof s.business_id !== "number") return null;
    return {
      e164: s.e164,
      business_id: s.business_id,
      business_unit_id: s.business_unit_id ?? null,
      program_id: s.program_id ?? null,
      call_purpose_id: Number(s.call_purpose_id),
      created_at: s.created_at ?? event.occurred_at,
    };
  } catch {
    return null;
  }
}

const cutoff = (now = Date.now()) => new Date(now - RESTORE_DAYS * 864e5).toISOString();

interface RemovalView {
  id: number;
  occurred_at: string;
  actor_email: string;
  summary: string;
  e164: string;
  national: string;
  /** "restorable", "restored" (put back already) or "back" (added again since). */
  state: "restorable" | "restored" | "back";
}

export interface RemovedPage {
  removals: RemovalView[];
  total: number;
  page: number;
  pageCount: number;
}

/** Removals at a level in the last 30 days, newest first, with whether each can come back. */
export async function listRecentlyRemoved(
  db: Kysely<DB>,
  level: Level,
  page: number,
  pageSize = 50,
): Promise<RemovedPage> {
  const filter: EventFilter = {
    businessId: level.business.id,
    unitId: level.kind === "unit" ? level.id : (level.unit?.id ?? null),
    programId: level.kind === "program" ? level.id : null,
    actions: ["number.remove"],
    actorEmail: null,
    phoneDigits: null,
    from: cutoff(),
    until: null,
  };
  const total = await countEvents(db, filter);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, page), pageCount);
  const events = await listEvents(db, filter, pageSize, (current - 1) * pageSize);
  const restored = await restoredRemovalIds(
    db,
    events.map((e) => e.id),
  );
  const present = new Set(
    (
      await findNumbersByE164(
        db,
        events.map((e) => e.phone_number ?? ""),
      )
    ).map((n) => n.e164),
  );
  return {
    total,
    page: current,
    pageCount,
    removals: events.map((e) => ({
      id: e.id,
      occurred_at: e.occurred_at,
      actor_email: e.actor_email,
      summary: e.summary,
      e164: e.phone_number ?? "",
      national: formatNational(e.phone_number ?? ""),
      state: restored.has(e.id)
        ? "restored"
        : present.has(e.phone_number ?? "")
          ? "back"
          : "restorable",
    })),
  };
}

/**
 * Puts one removed number back where it was. Refused (409) when it was restored already,
 * when the number has since been added anywhere, when its place is gone, or after 30 days.
 */
async function restoreOne(trx: Kysely<DB>, user: CurrentUser, event: AuditEvent): Promise<string> {
  const snapshot = snapshotOf(event);
  if (!snapshot) throw new ConflictError("This removal holds no record of the number to restore.");
  const national = formatNational(snapshot.e164);
  if (event.occurred_at < cutoff()) {
    throw new ConflictError(`${national} was removed more than ${RESTORE_DAYS} days ago.`);
  }
  if ((await restoredRemovalIds(trx, [event.id])).size > 0) {
    throw new ConflictError(`${national} was restored already.`);
  }
  if ((await findNumbersByE164(trx, [snapshot.e164])).length > 0) {
    throw new ConflictError(`${national} has since been added again, so it cannot be restored.`);
  }
  const now = new Date().toISOString();
  // Back under its old id, so saved /numbers/{id} links work again; a new one only if the
  // old one is somehow taken.
  const oldId = event.subject_type === "phone_number" ? event.subject_id : null;
  const id = oldId !== null && !(await numberIdInUse(trx, oldId)) ? { id: oldId } : {};
  try {
    await insertNumbers(trx, [{ ...snapshot, ...id, updated_at: now }]);
  } catch (error) {
    // The database's own containment keys refuse a place that no longer exists.
    if (isConstraintViolation(error)) {
      throw new ConflictError(
        `${national} cannot go back: its business unit or program no longer exists.`,
      );
    }
    throw error;
  }
  await recordAudit(
    trx,
    user,
    {
      action: "number.restore",
      subjectType: "removal",
      subjectId: event.id,
      place: {
        businessId: snapshot.business_id,
        unitId: snapshot.business_unit_id,
        programId: snapshot.program_id,
      },
      phoneNumber: snapshot.e164,
      summary: `Restored ${national}`,
      after: snapshot,
    },
    now,
  );
  return national;
}

/** The removal event, if the user may see its number's place (else 404) and change it (403). */
async function editableRemoval(db: Kysely<DB>, user: CurrentUser, id: number): Promise<AuditEvent> {
  const event = await findEvent(db, id);
  if (
    event?.action !== "number.remove" ||
    event.business_id === null ||
    !canSeeNumber(user, {
      business_id: event.business_id,
      business_unit_id: event.business_unit_id,
    })
  ) {
    throw new NotFoundError("No such removal.");
  }
  if (!canEditNumbers(user))
    throw new ForbiddenError("Your role can view numbers but not change them.");
  return event;
}

export async function restoreRemoval(
  db: Kysely<DB>,
  user: CurrentUser,
  id: number,
): Promise<string> {
  return inNumbersTransaction(db, async (trx) =>
    restoreOne(trx, user, await editableRemoval(trx, user, id)),
  );
}

/**
 * Restores the selected removals in one transaction. Each one that cannot come back is
 * counted with its reason, and does not stop the others (as with bulk runs).
 */
export async function restoreRemovals(
  db: Kysely<DB>,
  user: CurrentUser,
  ids: number[],
): Promise<{ restored: string[]; refused: string[] }> {
  return inNumbersTransaction(db, async (trx) => {
    const restored: string[] = [];
    const refused: string[] = [];
    for (const id of [...new Set(ids)]) {
      try {
        restored.push(await restoreOne(trx, user, await editableRemoval(trx, user, id)));
      } catch (error) {
        if (error instanceof ConflictError || error instanceof NotFoundError)
          refused.push(error.message);
        else throw error;
      }
    }
    return { restored, refused };
  });
}

/** Undo of a delete run: every number it removed comes back, unless it cannot (then counted). */
export async function undoDeletion(
  db: Kysely<DB>,
  user: CurrentUser,
  job: Job,
): Promise<{ restored: number; refused: number }> {
  if (job.kind !== "delete") throw new ConflictError("Only a delete run can be undone here.");
  if (!canEditNumbers(user))
    throw new ForbiddenError("Your role can view numbers but not change them.");
  return inNumbersTransaction(db, async (trx) => {
    // Checked inside the write: of two Undos at once, the second sees the first's event.
    const undone = (await jobUndos(trx, [job.id])).get(job.id);
    if (undone) {
      throw new ConflictError(
        `This run was already undone on ${undone.occurred_at.slice(0, 16).replace("T", " ")} UTC by ${undone.actor_email}.`,
      );
    }
    let restored = 0;
    let refused = 0;
    for (const event of await listRemovalsAt(trx, job.business_id, job.created_at)) {
      try {
        await restoreOne(trx, user, event);
        restored++;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        refused++;
      }
    }
    // The run's own event: its result and the list of runs say it was undone, when and by whom.
    await recordAudit(
      trx,
      user,
      {
        action: "job.undo",
        subjectType: "job",
        subjectId: job.id,
        place: {
          businessId: job.business_id,
          unitId: job.business_unit_id,
          programId: job.program_id,
        },
        summary: `Undid delete run #${job.id}: ${restored} restored${refused > 0 ? `, ${refused} could not come back` : ""}`,
        after: { restored, refused },
      },
      new Date().toISOString(),
    );
    return { restored, refused };
  });
}
