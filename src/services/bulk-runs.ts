/**
 * Bulk add and delete runs (product.md §4): every entry gets an outcome, valid numbers are
 * never blocked by invalid ones, and all changes of a run, their audit events, the job and
 * its outcomes commit in one transaction.
 */
import type { Kysely } from "kysely";
import type { DB } from "../db/database.js";
import { inWriteTransaction } from "../db/sqlite.js";
import type { NewAuditEvent } from "../db/tables/audit.js";
import type { Job, NewJobOutcome } from "../db/tables/jobs.js";
import type { PhoneNumber } from "../db/tables/numbers.js";
import { ValidationError } from "../domain/errors.js";
import { type Level, levelTrail } from "../domain/levels.js";
import { type CurrentUser, canSeeNumber } from "../domain/permissions.js";
import { type PhoneInput, parsePhoneInput } from "../domain/phone-input.js";
import type { RejectionCode } from "../domain/rejections.js";
import { insertAuditEvents } from "../queries/audit-events.js";
import { listCallPurposeRefs } from "../queries/call-purposes.js";
import { insertJob, insertOutcomes } from "../queries/jobs.js";
import { deleteNumbersById, findNumbersByE164, insertNumbers } from "../queries/numbers.js";
import { findProgram } from "../queries/programs.js";
import { actorColumns } from "./audit.js";
import { numberNamer } from "./directory.js";
import type { ReadCache } from "./read-cache.js";

/** The most entries one run takes (product.md: uploads of up to 100,000 numbers). */
export const MAX_ENTRIES = 100_000;

export interface RunEntry {
  /** 1-based position in what the user gave. */
  line: number;
  number: string;
  /** A call purpose given with the number (upload column), or null. */
  callPurpose: string | null;
  /** The number already read by parsePhoneInput (uploads do it in a worker thread). */
  parsed?: ParsedNumber;
}

/** What a run needs of parsePhoneInput's answer: the number in E.164, or why it is not one. */
export type ParsedNumber = { ok: true; e164: string } | Extract<PhoneInput, { ok: false }>;

/** Splits pasted text into entries: one number per line, or separated by commas/semicolons. */
export function entriesFromText(text: string): RunEntry[] {
  return text
    .split(/[\r\n,;]+/)
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((number, index) => ({ line: index + 1, number, callPurpose: null }));
}

interface Rejection {
  code: RejectionCode;
  message: string;
}

interface Parsed {
  entry: RunEntry;
  e164: string | null;
  rejection: Rejection | null;
}

/** The numbers the portal already holds among a run's valid entries, by E.164. */
async function existingNumbers(
  trx: Kysely<DB>,
  parsed: Parsed[],
): Promise<Map<string, PhoneNumber>> {
  const wanted = parsed.flatMap((p) => (p.rejection === null && p.e164 !== null ? [p.e164] : []));
  return new Map((await findNumbersByE164(trx, wanted)).map((n) => [n.e164, n]));
}

/** Parses every entry and flags repeats of a number (in any format) seen earlier in the run. */
function parseEntries(entries: RunEntry[], defaultRegion: string | null): Parsed[] {
  const firstLine = new Map<string, number>();
  return entries.map((entry) => {
    const parsed = entry.parsed ?? parsePhoneInput(entry.number, defaultRegion);
    if (!parsed.ok)
      return { entry, e164: null, rejection: { code: parsed.code, message: parsed.message } };
    const earlier = firstLine.get(parsed.e164);
    if (earlier !== undefined) {
      return {
        entry,
        e164: parsed.e164,
        rejection: { code: "DUPLICATE_IN_LIST", message: `The same number as entry ${earlier}.` },
      };
    }
    firstLine.set(parsed.e164, entry.line);
    return { entry, e164: parsed.e164, rejection: null };
  });
}

function checkSize(entries: RunEntry[]): void {
  if (entries.length === 0)
    throw new ValidationError({ numbers: "Enter at least one phone number." });
  if (entries.length > MAX_ENTRIES) {
    throw new ValidationError({
      numbers: `A run takes at most ${MAX_ENTRIES.toLocaleString("en-US")} numbers; this one has ${entries.length.toLocaleString("en-US")}. Nothing was changed.`,
    });
  }
}

const insideLevel = (
  n: Pick<PhoneNumber, "business_id" | "business_unit_id" | "program_id">,
  level: Level,
) =>
  level.kind === "business"
    ? n.business_id === level.business.id
    : level.kind === "unit"
      ? n.business_unit_id === level.id
      : n.program_id === level.id;

export interface RunContext {
  db: Kysely<DB>;
  cache: ReadCache;
  user: CurrentUser;
  level: Level;
  defaultRegion: string | null;
  source: "manual" | "upload";
}

async function placeNamer(ctx: RunContext) {
  const named = await numberNamer(ctx.db, ctx.cache);
  return (n: PhoneNumber) => {
    const row = named(n);
    return [row.business_name, row.unit_name, row.program_name].filter(Boolean).join(" › ");
  };
}

async function recordJob(
  trx: Kysely<DB>,
  ctx: RunContext,
  kind: "add" | "delete",
  outcomes: Omit<NewJobOutcome, "job_id">[],
  events: Omit<NewAuditEvent, "occurred_at">[],
  now: string,
): Promise<Job> {
  const succeeded = outcomes.filter((o) => o.outcome !== "rejected").length;
  const job = await insertJob(trx, {
    kind,
    source: ctx.source,
    user_id: actorColumns(ctx.user).actor_user_id,
    user_email: ctx.user.email,
    level_kind: ctx.level.kind,
    level_id: ctx.level.id,
    business_id: ctx.level.business.id,
    business_unit_id: ctx.level.unit?.id ?? null,
    program_id: ctx.level.program?.id ?? null,
    level_name: levelTrail(ctx.level),
    total: outcomes.length,
    succeeded,
    rejected: outcomes.length - succeeded,
    created_at: now,
  });
  await insertOutcomes(
    trx,
    outcomes.map((o) => ({ ...o, job_id: job.id })),
  );
  await insertAuditEvents(
    trx,
    [
      ...events,
      {
        ...actorColumns(ctx.user),
        action: `job.${kind}`,
        subject_type: "job",
        subject_id: job.id,
        business_id: ctx.level.business.id,
        business_unit_id: ctx.level.unit?.id ?? null,
        program_id: ctx.level.program?.id ?? null,
        phone_number: null,
        summary: `${kind === "add" ? "Added" : "Removed"} ${succeeded} of ${outcomes.length} numbers at ${levelTrail(ctx.level)} (${ctx.source})`,
        before_json: null,
        after_json: null,
      },
    ].map((event) => ({ ...event, occurred_at: now })),
  );
  return job;
}

/** Deletes the valid, visible numbers of the level; everything else is rejected with a reason. */
export async function runDeletion(ctx: RunContext, entries: RunEntry[]): Promise<Job> {
  checkSize(entries);
  const parsed = parseEntries(entries, ctx.defaultRegion);
  const placeOf = await placeNamer(ctx);
  const purposes = new Map((await listCallPurposeRefs(ctx.db)).map((p) => [p.id, p.name]));
  return inWriteTransaction(ctx.db, async (trx) => {
    const now = new Date().toISOString();
    const existing = await existingNumbers(trx, parsed);
    const outcomes: Omit<NewJobOutcome, "job_id">[] = [];
    const events: Omit<NewAuditEvent, "occurred_at">[] = [];
    const removeIds: number[] = [];
    for (const { entry, e164, rejection } of parsed) {
      const base = { line: entry.line, input: entry.number.slice(0, 300), e164 };
      const number = e164 === null ? undefined : existing.get(e164);
      let reason = rejection;
      if (!reason && (!number || !canSeeNumber(ctx.user, number))) {
        // Numbers of other tenants are "not found" too: a run must not reveal them.
        reason = { code: "NOT_FOUND", message: "Not in the portal." };
      } else if (!reason && number && !insideLevel(number, ctx.level)) {
        reason = {
          code: "OUTSIDE_LEVEL",
          message: `It is in ${placeOf(number)}, outside ${levelTrail(ctx.level)}.`,
        };
      } else if (!reason && number && entry.callPurpose !== null) {
        const current = purposes.get(number.call_purpose_id) ?? "";
        if (current.toLowerCase() !== entry.callPurpose.trim().toLowerCase()) {
          reason = {
            code: "CALL_PURPOSE_MISMATCH",
            message: `Its call purpose is ${current}, not ${entry.callPurpose.trim()}.`,
          };
        }
      }
      if (reason || !number) {
        outcomes.push({
          ...base,
          outcome: "rejected",
          code: reason?.code ?? "NOT_FOUND",
          message: reason?.message ?? null,
        });
        continue;
      }
      removeIds.push(number.id);
      outcomes.push({ ...base, outcome: "removed", code: null, message: null });
      events.push({
        ...actorColumns(ctx.user),
        action: "number.remove",
        subject_type: "phone_number",
        subject_id: number.id,
        business_id: number.business_id,
        business_unit_id: number.business_unit_id,
        program_id: number.program_id,
        phone_number: number.e164,
        summary: `Removed ${number.e164} from ${placeOf(number)} (bulk delete)`,
        before_json: JSON.stringify(number),
        after_json: null,
      });
    }
    await deleteNumbersById(trx, removeIds);
    return recordJob(trx, ctx, "delete", outcomes, events, now);
  });
}

/** Adds the valid numbers at the level, each with its call purpose (given, or the default). */
export async function runAddition(
  ctx: RunContext,
  entries: RunEntry[],
  defaultPurpose: string,
): Promise<Job> {
  checkSize(entries);
  const purposes = await listCallPurposeRefs(ctx.db);
  const byName = new Map(purposes.map((p) => [p.name.toLowerCase(), p]));
  const program = ctx.level.program ? await findProgram(ctx.db, ctx.level.program.id) : undefined;
  const fallbackId = /^\d{1,15}$/.test(defaultPurpose.trim())
    ? Number(defaultPurpose.trim())
    : program?.default_call_purpose_id;
  const fallback = purposes.find((p) => p.id === fallbackId && p.retired_at === null);
  if (!fallback)
    throw new ValidationError({ call_purpose: "Choose a call purpose from the list." });
  const parsed = parseEntries(entries, ctx.defaultRegion);
  const placeOf = await placeNamer(ctx);
  return inWriteTransaction(ctx.db, async (trx) => {
    const now = new Date().toISOString();
    const existing = await existingNumbers(trx, parsed);
    const outcomes: Omit<NewJobOutcome, "job_id">[] = [];
    const events: Omit<NewAuditEvent, "occurred_at">[] = [];
    const rows = [];
    for (const { entry, e164, rejection } of parsed) {
      const base = { line: entry.line, input: entry.number.slice(0, 300), e164 };
      const number = e164 === null ? undefined : existing.get(e164);
      let reason = rejection;
      const purpose =
        entry.callPurpose === null ? fallback : byName.get(entry.callPurpose.trim().toLowerCase());
      if (!reason && number) {
        if (canSeeNumber(ctx.user, number) && insideLevel(number, ctx.level)) {
          reason = { code: "ALREADY_HERE", message: `Already in ${placeOf(number)}.` };
        } else {
          reason = {
            code: "EXISTS_ELSEWHERE",
            message: canSeeNumber(ctx.user, number)
              ? `Already in ${placeOf(number)}.`
              : "Already in the portal, in a place you cannot see.",
          };
        }
      } else if (!reason && (!purpose || purpose.retired_at !== null)) {
        reason = {
          code: "UNKNOWN_CALL_PURPOSE",
          message: `No call purpose named ${entry.callPurpose ?? ""} is offered.`,
        };
      }
      if (reason || e164 === null || !purpose) {
        outcomes.push({
          ...base,
          outcome: "rejected",
          code: reason?.code ?? "INVALID_FORMAT",
          message: reason?.message ?? null,
        });
        continue;
      }
      rows.push({
        e164,
        business_id: ctx.level.business.id,
        business_unit_id: ctx.level.unit?.id ?? null,
        program_id: ctx.level.program?.id ?? null,
        call_purpose_id: purpose.id,
        created_at: now,
        updated_at: now,
      });
      outcomes.push({ ...base, outcome: "added", code: null, message: null });
      events.push({
        ...actorColumns(ctx.user),
        action: "number.add",
        subject_type: "phone_number",
        subject_id: null,
        business_id: ctx.level.business.id,
        business_unit_id: ctx.level.unit?.id ?? null,
        program_id: ctx.level.program?.id ?? null,
        phone_number: e164,
        summary: `Added ${e164} to ${levelTrail(ctx.level)} as ${purpose.name}`,
        before_json: null,
        after_json: JSON.stringify({ e164, call_purpose: purpose.name }),
      });
    }
    await insertNumbers(trx, rows);
    return recordJob(trx, ctx, "add", outcomes, events, now);
  });
}
