import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { Job } from "../../db/tables/jobs.js";
import { inNumbersTransaction } from "../../db/transaction.js";
import { ForbiddenError } from "../../domain/errors.js";
import { type CurrentUser, canEditNumbers, canSeeNumber } from "../../domain/permissions.js";
import { formatNational } from "../../domain/phone-format.js";
import { insertAuditEvents } from "../../queries/audit-events.js";
import { listOutcomes } from "../../queries/jobs.js";
import { findNumbersByE164, moveNumber } from "../../queries/numbers.js";
import { actorColumns } from "../audit/audit.js";

/**
 * What became of the numbers an add run found elsewhere that this user may see: still
 * elsewhere (movable to the run's place) or there now (moved here since).
 */
export async function elsewhereStates(
  db: Kysely<DB>,
  user: CurrentUser,
  job: Job,
): Promise<{ movable: Set<string>; movedHere: Set<string> }> {
  const movable = new Set<string>();
  const movedHere = new Set<string>();
  if (job.kind !== "add") return { movable, movedHere };
  const elsewhere = (await listOutcomes(db, job, "rejected", 100_000, 0))
    .filter((o) => o.code === "EXISTS_ELSEWHERE" && o.e164 !== null)
    .map((o) => o.e164 as string);
  for (const n of await findNumbersByE164(db, elsewhere)) {
    if (!canSeeNumber(user, n)) continue;
    const there =
      n.business_id === job.business_id &&
      n.business_unit_id === job.business_unit_id &&
      n.program_id === job.program_id;
    (there ? movedHere : movable).add(n.e164);
  }
  return { movable, movedHere };
}

/** Numbers an add run found elsewhere that this user may see, and so may move to the run's place. */
async function movableNumbers(db: Kysely<DB>, user: CurrentUser, job: Job): Promise<Set<string>> {
  return (await elsewhereStates(db, user, job)).movable;
}

/**
 * "Move here" from an add run's result: the chosen numbers (or all movable ones) go to the
 * place the run was made at, each move audited with where it came from. Numbers the user
 * cannot see, or that moved or left meanwhile, are skipped and counted.
 */
export async function moveToJobLevel(
  db: Kysely<DB>,
  user: CurrentUser,
  job: Job,
  chosen: string[] | "all",
): Promise<{ moved: string[]; skipped: number }> {
  if (!canEditNumbers(user))
    throw new ForbiddenError("Your role can view numbers but not change them.");
  return inNumbersTransaction(db, async (trx) => {
    const movable = await movableNumbers(trx, user, job);
    const wanted = chosen === "all" ? [...movable] : chosen.filter((e164) => movable.has(e164));
    const now = new Date().toISOString();
    const moved: string[] = [];
    const events = [];
    for (const number of await findNumbersByE164(trx, wanted)) {
      await moveNumber(trx, number.id, {
        business_id: job.business_id,
        business_unit_id: job.business_unit_id,
        program_id: job.program_id,
        updated_at: now,
      });
      moved.push(number.e164);
      events.push({
        occurred_at: now,
        ...actorColumns(user),
        action: "number.move",
        subject_type: "phone_number",
        subject_id: number.id,
        business_id: job.business_id,
        business_unit_id: job.business_unit_id,
        program_id: job.program_id,
        phone_number: number.e164,
        summary: `Moved ${formatNational(number.e164)} to ${job.level_name}`,
        before_json: JSON.stringify({
          business_id: number.business_id,
          business_unit_id: number.business_unit_id,
          program_id: number.program_id,
        }),
        after_json: JSON.stringify({
          business_id: job.business_id,
          business_unit_id: job.business_unit_id,
          program_id: job.program_id,
        }),
      });
    }
    await insertAuditEvents(trx, events);
    return { moved, skipped: (chosen === "all" ? movable.size : chosen.length) - moved.length };
  });
}
