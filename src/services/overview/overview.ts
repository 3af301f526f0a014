import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { type ProgramStatus, programStatus, today } from "../../domain/duration.js";
import { type Level, levelPath } from "../../domain/levels.js";
import { readDirectory } from "../../queries/level-names.js";
import {
  countNumberEventsByWeek,
  countNumbersByPlace,
  listTimelinePrograms,
  type PlaceCount,
} from "../../queries/overview.js";
import type { ReadCache } from "../read-cache.js";
import {
  type BarChart,
  barChart,
  type Donut,
  donut,
  type Segment,
  type Timeline,
  type TimelineInput,
  timeline,
  type WeekChart,
  type WeekInput,
  weekChart,
} from "./charts.js";
import { type ExpiringSoon, findExpiringSoon, plusDays } from "./expiring.js";

/** Top places shown by name in "by unit" / "by program"; the rest are summed as one bar. */
export const TOP_PLACES = 10;
/** Programs drawn on the timeline; the rest are counted below it. */
const TIMELINE_PROGRAMS = 20;
const WEEKS = 12;

const ADDED_ACTIONS = ["number.add", "number.restore"];
const REMOVED_ACTIONS = ["number.remove"];

export interface Overview {
  level: Level;
  today: string;
  total: number;
  byStatus: Donut & { segments: Segment[] };
  byPurpose: BarChart;
  /** By unit at business level, by program at unit level; none at program level. */
  byPlace: (BarChart & { heading: string; rest: number }) | null;
  timeline: Timeline & { more: number };
  weeks: WeekChart & { addedTotal: number; removedTotal: number };
  expiringSoon: ExpiringSoon | null;
}

const STATUS_TONES: Array<{ key: ProgramStatus | "unassigned"; label: string }> = [
  { key: "active", label: "Active" },
  { key: "scheduled", label: "Scheduled" },
  { key: "expired", label: "Expired" },
  { key: "unassigned", label: "Unassigned" },
];

type Directory = Awaited<ReturnType<typeof readDirectory>>;

function sumBy<K>(rows: PlaceCount[], key: (row: PlaceCount) => K): Map<K, number> {
  const sums = new Map<K, number>();
  for (const row of rows) sums.set(key(row), (sums.get(key(row)) ?? 0) + row.n);
  return sums;
}

/** Monday 00:00 UTC of the week `on` falls in. */
export function weekStart(on: string): string {
  const d = new Date(`${on}T00:00:00Z`);
  return plusDays(on, -((d.getUTCDay() + 6) % 7));
}

function statusChart(level: Level, rows: PlaceCount[], directory: Directory, on: string) {
  const programs = new Map(directory.programs.map((p) => [p.id, p]));
  const byStatus = sumBy(rows, (row) => {
    if (row.program_id === null) return "unassigned";
    const p = programs.get(row.program_id);
    return p ? programStatus({ startsOn: p.starts_on, endsOn: p.ends_on }, on) : "unassigned";
  });
  const dashboard = `${levelPath(level)}/numbers`;
  const segments: Segment[] = STATUS_TONES.map((s) => ({
    key: s.key,
    label: s.label,
    count: byStatus.get(s.key) ?? 0,
    href: `${dashboard}?status=${s.key}`,
    tone: `tone-${s.key}`,
  }));
  return { ...donut(segments), segments };
}

function purposeChart(level: Level, rows: PlaceCount[], directory: Directory): BarChart {
  const byPurpose = sumBy(rows, (row) => row.call_purpose_id);
  const names = new Map(directory.purposes.map((p) => [p.id, p.name]));
  const segments = [...byPurpose.entries()]
    .sort((a, b) => b[1] - a[1] || (names.get(a[0]) ?? "").localeCompare(names.get(b[0]) ?? ""))
    .map(([id, n]) => ({
      key: `purpose-${id}`,
      label: names.get(id) ?? `Call purpose ${id}`,
      count: n,
      href: `${levelPath(level)}/numbers?purpose=${id}`,
      tone: "tone-purpose",
    }));
  return barChart(segments);
}

function placeChart(level: Level, rows: PlaceCount[], directory: Directory) {
  if (level.kind === "program") return null;
  const dashboard = `${levelPath(level)}/numbers`;
  const byUnit = level.kind === "business";
  const names = new Map(
    (byUnit ? directory.units : directory.programs).map((p) => [p.id, p.name] as const),
  );
  const sums = sumBy(rows, (row) => (byUnit ? row.business_unit_id : row.program_id));
  const named = [...sums.entries()]
    .filter((e): e is [number, number] => e[0] !== null)
    .sort((a, b) => b[1] - a[1] || (names.get(a[0]) ?? "").localeCompare(names.get(b[0]) ?? ""));
  const top = named.slice(0, TOP_PLACES);
  const rest = named.slice(TOP_PLACES);
  const segments: Segment[] = top.map(([id, n]) => ({
    key: `place-${id}`,
    label: names.get(id) ?? `#${id}`,
    count: n,
    href: `${dashboard}?${byUnit ? "unit" : "program"}=${id}`,
    tone: "tone-place",
  }));
  if (rest.length > 0) {
    segments.push({
      key: "place-rest",
      label: `${rest.length} more ${byUnit ? "units" : "programs"}`,
      count: rest.reduce((sum, [, n]) => sum + n, 0),
      href: null,
      tone: "tone-rest",
    });
  }
  const none = sums.get(null) ?? 0;
  if (none > 0) {
    segments.push({
      key: "place-none",
      label: byUnit ? "No unit (business level)" : "No program",
      count: none,
      // Numbers of a unit outside its programs are exactly its unassigned ones.
      href: byUnit ? null : `${dashboard}?status=unassigned`,
      tone: "tone-rest",
    });
  }
  return {
    ...barChart(segments),
    heading: byUnit ? "Numbers by business unit" : "Numbers by program",
    rest: rest.length,
  };
}

/** The tone of a program's bar: how soon it stops branding, or its status. */
export function timelineTone(startsOn: string | null, endsOn: string | null, on: string): string {
  const status = programStatus({ startsOn, endsOn }, on);
  if (status !== "active" || endsOn === null) return `tone-${status}`;
  if (endsOn <= plusDays(on, 30)) return "tone-expiring-30";
  if (endsOn <= plusDays(on, 60)) return "tone-expiring-60";
  if (endsOn <= plusDays(on, 90)) return "tone-expiring-90";
  return "tone-active";
}

async function timelineChart(db: Kysely<DB>, level: Level, on: string) {
  const programs = await listTimelinePrograms(db, level);
  // Programs that still matter come first: running or scheduled (soonest end first), then
  // those that ended (latest first).
  const ended = programs.filter((p) => p.ends_on !== null && p.ends_on < on).reverse();
  const current = programs.filter((p) => !(p.ends_on !== null && p.ends_on < on));
  const shown = [...current, ...ended].slice(0, TIMELINE_PROGRAMS);
  const dashboard = `${levelPath(level)}/numbers`;
  const inputs: TimelineInput[] = shown.map((p) => ({
    key: `program-${p.id}`,
    label: p.name,
    startsOn: p.starts_on,
    endsOn: p.ends_on,
    href: level.kind === "program" ? dashboard : `${dashboard}?program=${p.id}`,
    tone: timelineTone(p.starts_on, p.ends_on, on),
    title: `${p.name} (${p.display_name}): ${p.starts_on ?? "open start"} – ${p.ends_on ?? "open end"}`,
  }));
  return { ...timeline(inputs, on), more: programs.length - shown.length };
}

async function weeksChart(db: Kysely<DB>, level: Level, on: string) {
  const first = plusDays(weekStart(on), -7 * (WEEKS - 1));
  const starts = Array.from({ length: WEEKS }, (_, i) => plusDays(first, 7 * i));
  const counts = await countNumberEventsByWeek(
    db,
    {
      businessId: level.business.id,
      unitId: level.unit?.id ?? null,
      programId: level.program?.id ?? null,
    },
    starts,
    plusDays(weekStart(on), 7),
    [...ADDED_ACTIONS, ...REMOVED_ACTIONS],
  );
  const activity = `${levelPath(level)}/activity`;
  const weeks: WeekInput[] = starts.map((start, i) => {
    const inWeek = counts.filter((c) => c.week === i);
    const sum = (actions: string[]) =>
      inWeek.filter((c) => actions.includes(c.action)).reduce((s, c) => s + c.n, 0);
    const range = `from=${start}&to=${plusDays(start, 6)}`;
    return {
      start,
      added: sum(ADDED_ACTIONS),
      removed: sum(REMOVED_ACTIONS),
      addedHref: `${activity}?action=number.add&${range}`,
      removedHref: `${activity}?action=number.remove&${range}`,
    };
  });
  return {
    ...weekChart(weeks),
    addedTotal: weeks.reduce((s, w) => s + w.added, 0),
    removedTotal: weeks.reduce((s, w) => s + w.removed, 0),
  };
}

/**
 * A level's Overview. Everything is computed once per data version (and day): at a million
 * numbers the one GROUP BY over them is the cost, and the portal's data changes far less
 * often than operators look.
 */
export async function loadOverview(
  db: Kysely<DB>,
  cache: ReadCache,
  level: Level,
  on: string = today(),
): Promise<Overview> {
  return cache.get(`overview:${level.kind}:${level.id}:${on}`, async () => {
    const rows = await countNumbersByPlace(db, level);
    const directory = await cache.get("overview-directory", () => readDirectory(db));
    return {
      level,
      today: on,
      total: rows.reduce((sum, row) => sum + row.n, 0),
      byStatus: statusChart(level, rows, directory, on),
      byPurpose: purposeChart(level, rows, directory),
      byPlace: placeChart(level, rows, directory),
      timeline: await timelineChart(db, level, on),
      weeks: await weeksChart(db, level, on),
      expiringSoon: await findExpiringSoon(db, cache, level, on),
    };
  });
}
