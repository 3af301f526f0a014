/**
 * What scripts get from the portal's pages when they ask for JSON: the same data as the HTML,
 * in stable snake_case names that match the form fields and CSV columns (docs/scripting.md).
 * Only plain data goes out: no labels for display, no links a page builds for itself.
 */
import type { AuditEvent } from "../db/tables/audit.js";
import type { CallPurpose } from "../db/tables/hierarchy.js";
import {
  LEVEL_SEGMENTS,
  type Level,
  type LevelKind,
  levelPath,
  levelTrail,
} from "../domain/levels.js";
import type { ActivityView } from "../services/audit/activity.js";
import type { Dashboard } from "../services/numbers/dashboard.js";
import type { HistoryEntry, NumberView } from "../services/numbers/numbers.js";
import type { RemovedPage } from "../services/numbers/recently-removed.js";
import type { RunList } from "../services/runs/run-list.js";

export function levelJson(level: Level) {
  return {
    kind: level.kind,
    id: level.id,
    name: levelTrail(level),
    path: levelPath(level),
    business: level.business,
    unit: level.unit,
    program: level.program,
  };
}

const ref = (id: number | null, name: string | null) =>
  id === null ? null : { id, name: name ?? "" };

export function numberJson(n: NumberView) {
  return {
    id: n.id,
    phone_number: n.e164,
    national: n.national,
    business: { id: n.business_id, name: n.business_name },
    unit: ref(n.business_unit_id, n.unit_name),
    program: ref(n.program_id, n.program_name),
    display_name: n.display_name,
    call_purpose: { id: n.call_purpose_id, name: n.purpose_name },
    starts_on: n.starts_on,
    ends_on: n.ends_on,
    status: n.status,
    /** True while the number shows its program's display name (the program is active). */
    brands: n.brands,
    created_at: n.created_at,
    updated_at: n.updated_at,
  };
}

export function dashboardJson(d: Dashboard) {
  return {
    level: levelJson(d.level),
    filters: d.values,
    total: d.total,
    page: d.page,
    page_count: d.pageCount,
    numbers: d.rows.map(numberJson),
  };
}

export function assignmentsJson(n: NumberView, history: HistoryEntry[]) {
  return {
    number: numberJson(n),
    history: history.map((h) => ({
      occurred_at: h.occurred_at,
      user: h.actor_email,
      summary: h.summary,
    })),
  };
}

export function callPurposeJson(p: Pick<CallPurpose, "id" | "name" | "code">) {
  return { id: p.id, name: p.name, code: p.code };
}

/** The Add and Delete forms: where they post and, for Add, the call purposes to choose from. */
export function runFormJson(
  level: Level,
  kind: "add" | "delete",
  purposes: CallPurpose[],
  defaultPurpose: string,
) {
  return {
    level: levelJson(level),
    action: `${levelPath(level)}/numbers/${kind}`,
    ...(kind === "add"
      ? {
          call_purposes: purposes.map(callPurposeJson),
          default_call_purpose: defaultPurpose === "" ? null : Number(defaultPurpose),
        }
      : {}),
  };
}

export function removedJson(level: Level, page: RemovedPage) {
  return {
    level: levelJson(level),
    total: page.total,
    page: page.page,
    page_count: page.pageCount,
    removals: page.removals.map((r) => ({
      id: r.id,
      removed_at: r.occurred_at,
      user: r.actor_email,
      phone_number: r.e164,
      national: r.national,
      summary: r.summary,
      /** "restorable", "restored" (put back already) or "back" (added again since). */
      state: r.state,
    })),
  };
}

const parsed = (json: string | null): unknown => (json === null ? null : JSON.parse(json));

function eventJson(e: AuditEvent) {
  return {
    id: e.id,
    occurred_at: e.occurred_at,
    user: e.actor_email,
    /** The API token the change was made with; null for the browser or the command line. */
    token: e.actor_token_name,
    action: e.action,
    phone_number: e.phone_number,
    summary: e.summary,
    before: parsed(e.before_json),
    after: parsed(e.after_json),
  };
}

export function activityJson(level: Level, a: ActivityView) {
  return {
    level: levelJson(level),
    filters: a.values,
    total: a.total,
    page: a.page,
    page_count: a.pageCount,
    events: a.events.map(eventJson),
  };
}

/** The runs at and below a level (GET /{level}/{id}/runs), newest first. */
export function runsJson(level: Level, list: RunList) {
  return {
    level: levelJson(level),
    filters: { kind: list.kind },
    total: list.total,
    page: list.page,
    page_count: list.pageCount,
    runs: list.runs.map((r) => ({
      id: r.id,
      kind: r.kind,
      source: r.source,
      created_at: r.created_at,
      user: r.user_email,
      level: {
        kind: r.level_kind,
        id: r.level_id,
        name: r.level_name,
        path: `/${LEVEL_SEGMENTS[r.level_kind as LevelKind]}/${r.level_id}`,
      },
      total: r.total,
      succeeded: r.succeeded,
      rejected: r.rejected,
      undone: r.undone ? { at: r.undone.occurred_at, by: r.undone.actor_email } : null,
      href: `/jobs/${r.id}`,
    })),
  };
}
