/**
 * What a bulk run writes besides its numbers (run-engine.ts): an outcome for every entry, an
 * audit event for every number changed, and the job with its counts and its own event.
 *
 * A run's number events are written in batches ordered by phone number (EVENTS_HELD): the
 * events' index on phone_number then grows in order, which costs far less than inserts in
 * file order (measured: 0.45 s of a 100,000-number delete). Until then each is held as the
 * few values that make it, not as the event itself, to keep the worker's memory small.
 */
import type { NewAuditEvent } from "../../db/tables/audit.js";
import type { NewJobOutcome } from "../../db/tables/jobs.js";
import type { PhoneNumber } from "../../db/tables/numbers.js";
import { type Level, levelTrail } from "../../domain/levels.js";
import { replaceControls } from "../../domain/text.js";
import type { LevelColumn, RunWrites } from "../../queries/run-writes.js";
import { actorColumns } from "../audit/audit.js";
import type { Rejection, RunEntry } from "./run-entries.js";
import type { PurposeRef, RunPlan } from "./run-plan.js";

/** An entry and the number it was read as (null: none). */
export interface Parsed {
  entry: RunEntry;
  e164: string | null;
}

export const LEVEL_COLUMNS: Record<Level["kind"], LevelColumn> = {
  business: "business_id",
  unit: "business_unit_id",
  program: "program_id",
};

/**
 * Events held before they are written, sorted: each batch sweeps the index in order. Holding
 * all of a 100,000-number run's was no faster, within the noise, and held more in the worker.
 */
const EVENTS_HELD = 25_000;

/** A number's audit event, still to be made: the run writes them last, by phone number. */
interface HeldEvent {
  e164: string;
  event: () => Omit<NewAuditEvent, AuditCommon>;
}

/** The run's fixed facts, and how each entry's outcome and audit event are written. */
export class Run {
  readonly now = new Date().toISOString();
  readonly trail: string;
  readonly purposeById: Map<number, PurposeRef>;
  readonly purposeByName: Map<string, PurposeRef>;
  readonly #names: Array<Map<number, string>>;
  jobId = 0;
  #events: HeldEvent[] = [];
  succeeded = 0;
  rejected = 0;

  constructor(
    readonly plan: RunPlan,
    readonly writes: RunWrites,
  ) {
    this.trail = levelTrail(plan.level);
    this.purposeById = new Map(plan.purposes.map((p) => [p.id, p]));
    this.purposeByName = new Map(plan.purposes.map((p) => [p.name.toLowerCase(), p]));
    const { businesses, units, programs } = plan.places;
    this.#names = [new Map(businesses), new Map(units), new Map(programs)];
  }

  /** "ACME Corp › Billing › Q4 Reminders": where a number is. */
  placeOf(n: PhoneNumber): string {
    const [businesses, units, programs] = this.#names as [
      Map<number, string>,
      Map<number, string>,
      Map<number, string>,
    ];
    return [
      businesses.get(n.business_id),
      n.business_unit_id === null ? undefined : units.get(n.business_unit_id),
      n.program_id === null ? undefined : programs.get(n.program_id),
    ]
      .filter(Boolean)
      .join(" › ");
  }

  insideLevel(n: PhoneNumber): boolean {
    return n[LEVEL_COLUMNS[this.plan.level.kind]] === this.plan.level.id;
  }

  reject({ entry, e164 }: Parsed, { code, message }: Rejection): void {
    this.rejected++;
    this.writes.outcome(this.#outcome(entry, e164, "rejected", code, message));
  }

  /** The entry's number was changed; `event` makes its audit event, at the end of the run. */
  succeed(entry: RunEntry, e164: string, event: () => Omit<NewAuditEvent, AuditCommon>): void {
    this.succeeded++;
    this.writes.success(entry.line, replaceControls(entry.number.slice(0, 300)), e164);
    this.#events.push({ e164, event });
    if (this.#events.length >= EVENTS_HELD) this.#writeEvents();
  }

  /** Writes the events held, ordered by phone number. */
  #writeEvents(): void {
    this.#events.sort((a, b) => (a.e164 < b.e164 ? -1 : a.e164 > b.e164 ? 1 : 0));
    for (const held of this.#events) this.writes.audit(this.#event(held.event()));
    this.#events = [];
  }

  #outcome(
    entry: RunEntry,
    e164: string | null,
    outcome: NewJobOutcome["outcome"],
    code: string | null,
    message: string | null,
  ): NewJobOutcome {
    return {
      job_id: this.jobId,
      line: entry.line,
      input: replaceControls(entry.number.slice(0, 300)),
      e164,
      outcome,
      code,
      message,
    };
  }

  #event(event: Omit<NewAuditEvent, AuditCommon>): NewAuditEvent {
    return { occurred_at: this.now, ...actorColumns(this.plan.user), ...event };
  }

  /** The numbers' audit events (by phone number), then the job's own. */
  finish(total: number): void {
    const { plan } = this;
    this.#writeEvents();
    this.writes.flush();
    this.writes.finishJob(this.jobId, {
      total,
      succeeded: this.succeeded,
      rejected: this.rejected,
    });
    this.writes.audit(
      this.#event({
        action: `job.${plan.kind}`,
        subject_type: "job",
        subject_id: this.jobId,
        business_id: plan.level.business.id,
        business_unit_id: plan.level.unit?.id ?? null,
        program_id: plan.level.program?.id ?? null,
        phone_number: null,
        summary: `${plan.kind === "add" ? "Added" : "Removed"} ${this.succeeded} of ${total} numbers at ${this.trail} (${plan.source})`,
        before_json: null,
        after_json: null,
      }),
    );
    this.writes.flush();
  }
}

export type AuditCommon =
  | "occurred_at"
  | "actor_user_id"
  | "actor_email"
  | "actor_token_id"
  | "actor_token_name";
