import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { AuditEvent } from "../../db/tables/audit.js";
import { csvLine } from "../../domain/csv.js";
import { isIsoDate } from "../../domain/duration.js";
import type { Level } from "../../domain/levels.js";
import { parseDigitSearch } from "../../domain/number-search.js";
import { formatNational } from "../../domain/phone-format.js";
import { replaceControls } from "../../domain/text.js";
import { countEvents, type EventFilter, listEvents } from "../../queries/audit-events.js";

const ACTIVITY_PAGE_SIZE = 50;

/** The actions a reader can filter by, grouped as people think of them. */
export const ACTION_CHOICES = [
  {
    value: "number",
    label: "Numbers: any change",
    actions: ["number.add", "number.update", "number.remove", "number.restore"],
  },
  { value: "number.add", label: "Numbers added", actions: ["number.add"] },
  { value: "number.remove", label: "Numbers removed", actions: ["number.remove"] },
  { value: "number.update", label: "Numbers edited", actions: ["number.update"] },
  { value: "number.restore", label: "Numbers restored", actions: ["number.restore"] },
  { value: "job", label: "Bulk runs", actions: ["job.add", "job.delete", "job.undo"] },
  {
    value: "hierarchy",
    label: "Units and programs",
    actions: [
      "unit.create",
      "unit.update",
      "unit.delete",
      "program.create",
      "program.update",
      "program.delete",
    ],
  },
  {
    value: "user",
    label: "Users and sign-ins",
    actions: [
      "user.create",
      "user.update",
      "user.disable",
      "user.enable",
      "user.reset_password",
      "user.change_password",
      "user.two_factor_enrol",
      "user.two_factor_off",
      "user.two_factor_reset",
      "two_factor.require",
      "two_factor.optional",
      "auth.sign_in",
      "auth.password_ok",
      "auth.second_factor",
      "auth.second_factor_failed",
      "auth.sign_in_failed",
      "auth.sign_out",
      "auth.end_other_sessions",
      "token.create",
      "token.revoke",
    ],
  },
];

/**
 * What each action code says to a person reading the log. The codes stay in the CSV and JSON
 * (scripts filter by them); a code missing here is shown as itself.
 */
export const ACTION_LABELS: Record<string, string> = {
  "number.add": "Number added",
  "number.update": "Call purpose changed",
  "number.remove": "Number removed",
  "number.restore": "Number restored",
  "number.move": "Number moved",
  "job.add": "Bulk add",
  "job.delete": "Bulk delete",
  "job.undo": "Bulk delete undone",
  "business.create": "Business created",
  "business.update": "Business renamed",
  "business.delete": "Business deleted",
  "unit.create": "Business unit created",
  "unit.update": "Business unit renamed",
  "unit.delete": "Business unit deleted",
  "program.create": "Program created",
  "program.update": "Program changed",
  "program.delete": "Program deleted",
  "call_purpose.create": "Call purpose created",
  "call_purpose.update": "Call purpose changed (catalog)",
  "user.create": "User created",
  "user.update": "User changed",
  "user.disable": "User disabled",
  "user.enable": "User enabled",
  "user.reset_password": "Password reset",
  "user.change_password": "Password changed",
  "user.two_factor_enrol": "Two-factor sign-in turned on",
  "user.two_factor_off": "Two-factor sign-in turned off",
  "user.two_factor_reset": "Two-factor sign-in reset",
  "two_factor.require": "Two-factor sign-in required",
  "two_factor.optional": "Two-factor sign-in made optional",
  "auth.sign_in": "Signed in",
  "auth.password_ok": "Password accepted, code asked",
  "auth.second_factor": "Signed in with a second factor",
  "auth.second_factor_failed": "Wrong second-factor code",
  "auth.sign_in_failed": "Sign-in failed",
  "auth.sign_out": "Signed out",
  "auth.end_other_sessions": "Other sessions ended",
  "token.create": "API token created",
  "token.revoke": "API token revoked",
};

/** An event as the Activity page shows it: its action in words, its number formatted. */
interface ActivityEvent extends AuditEvent {
  actionLabel: string;
  phoneLabel: string;
  /** A bulk run's events (job.add, job.delete, job.undo) lead to its result. */
  jobHref: string | null;
}

const toActivityEvent = (e: AuditEvent): ActivityEvent =>
  Object.assign(e, {
    actionLabel: ACTION_LABELS[e.action] ?? e.action,
    phoneLabel: e.phone_number ? formatNational(e.phone_number) : "",
    jobHref: e.subject_type === "job" && e.subject_id !== null ? `/jobs/${e.subject_id}` : null,
  });

export interface ActivityParams {
  user?: string;
  action?: string;
  number?: string;
  from?: string;
  to?: string;
  page?: string;
}

export interface ActivityView {
  values: { user: string; action: string; number: string; from: string; to: string };
  events: ActivityEvent[];
  total: number;
  page: number;
  pageCount: number;
  rangeLabel: string;
  prevHref: string | null;
  nextHref: string | null;
  exportHref: string;
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The log's filter at a level; a unit-scoped reader's own level is their unit. */
function filterFor(level: Level, params: ActivityParams): EventFilter {
  const digits = parseDigitSearch(params.number);
  return {
    businessId: level.business.id,
    unitId: level.unit?.id ?? null,
    programId: level.program?.id ?? null,
    actions: ACTION_CHOICES.find((c) => c.value === params.action)?.actions ?? null,
    actorEmail: params.user?.trim() ? replaceControls(params.user.trim().slice(0, 254)) : null,
    phoneDigits:
      digits.kind === "digits" ? digits.digits : digits.kind === "invalid" ? "no match" : null,
    from: params.from && isIsoDate(params.from) ? params.from : null,
    until: params.to && isIsoDate(params.to) ? nextDay(params.to) : null,
  };
}

export async function loadActivity(
  db: Kysely<DB>,
  level: Level,
  base: string,
  params: ActivityParams,
): Promise<ActivityView> {
  const filter = filterFor(level, params);
  const total = await countEvents(db, filter);
  const pageCount = Math.max(1, Math.ceil(total / ACTIVITY_PAGE_SIZE));
  const page = Math.min(Math.max(1, Number.parseInt(params.page ?? "1", 10) || 1), pageCount);
  const events = await listEvents(db, filter, ACTIVITY_PAGE_SIZE, (page - 1) * ACTIVITY_PAGE_SIZE);
  const values = {
    user: filter.actorEmail ?? "",
    action: ACTION_CHOICES.some((c) => c.value === params.action) ? (params.action ?? "") : "",
    number: replaceControls(params.number?.slice(0, 30) ?? ""),
    from: filter.from ?? "",
    to: filter.until ? (params.to ?? "") : "",
  };
  const query = (extra: Record<string, string>) => {
    const pairs = Object.entries({ ...values, ...extra }).filter(([, v]) => v !== "");
    return pairs.length ? `?${new URLSearchParams(pairs).toString()}` : "";
  };
  const offset = (page - 1) * ACTIVITY_PAGE_SIZE;
  return {
    values,
    events: events.map(toActivityEvent),
    total,
    page,
    pageCount,
    rangeLabel:
      total === 0
        ? "No events"
        : `${(offset + 1).toLocaleString("en-US")}–${(offset + events.length).toLocaleString("en-US")} of ${total.toLocaleString("en-US")}`,
    prevHref: page > 1 ? `${base}${query({ page: String(page - 1) })}` : null,
    nextHref: page < pageCount ? `${base}${query({ page: String(page + 1) })}` : null,
    exportHref: `${base}.csv${query({})}`,
  };
}

/** The filtered log as CSV, newest first, 2,000 events at a time. */
export async function* activityCsv(
  db: Kysely<DB>,
  level: Level,
  params: ActivityParams,
): AsyncGenerator<string> {
  const filter = filterFor(level, params);
  yield csvLine([
    "occurred_at",
    "user",
    "action",
    "phone_number",
    "summary",
    "before",
    "after",
    "api_token",
  ]);
  for (let offset = 0; ; offset += 2_000) {
    const events = await listEvents(db, filter, 2_000, offset);
    for (const e of events) {
      yield csvLine([
        e.occurred_at,
        e.actor_email,
        e.action,
        e.phone_number,
        e.summary,
        e.before_json,
        e.after_json,
        e.actor_token_name,
      ]);
    }
    if (events.length < 2_000) return;
  }
}
