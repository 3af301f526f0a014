import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { csvLine } from "../../domain/csv.js";
import { today } from "../../domain/duration.js";
import { type Level, levelPath, type NamedRef } from "../../domain/levels.js";
import { type DigitSearch, parseDigitSearch } from "../../domain/number-search.js";
import { type CurrentUser, canEditNumbers } from "../../domain/permissions.js";
import { replaceControls } from "../../domain/text.js";
import { listCallPurposeRefs } from "../../queries/call-purposes.js";
import { listProgramRefs, listUnitRefs } from "../../queries/levels.js";
import {
  countNumbers,
  listNumberPage,
  listNumberRowsAfter,
  type NumberFilter,
  type NumberSort,
  type StatusFilter,
} from "../../queries/numbers.js";
import type { ReadCache } from "../read-cache.js";
import { matchDigits } from "./digit-search.js";
import { numberNamer } from "./level-names.js";
import { type NumberView, toNumberView } from "./numbers.js";

export const PAGE_SIZE = 50;

/** The dashboard's URL parameters, as typed (everything optional, nothing trusted). */
export interface DashboardParams {
  q?: string;
  unit?: string;
  program?: string;
  purpose?: string;
  status?: string;
  /** With status=expiring: how many days ahead (1–366; default 30). */
  within?: string;
  sort?: string;
  page?: string;
}

export const STATUS_CHOICES: Array<{ value: StatusFilter; label: string }> = [
  { value: "active", label: "Active" },
  { value: "scheduled", label: "Scheduled" },
  { value: "expired", label: "Expired" },
  { value: "unassigned", label: "Unassigned" },
  { value: "expiring", label: "Expiring within 30 days" },
];

export const SORT_CHOICES: Array<{ value: NumberSort; label: string }> = [
  { value: "added", label: "Newest first" },
  { value: "added_asc", label: "Oldest first" },
  { value: "number", label: "Number, ascending" },
  { value: "number_desc", label: "Number, descending" },
];

const idOrNull = (raw: string | undefined): number | null =>
  raw && /^\d{1,15}$/.test(raw) ? Number(raw) : null;

function plusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const DEFAULT_EXPIRING_DAYS = 30;

/** The "expiring within" window the URL asks for; anything but 1–366 days means the default. */
function withinDays(raw: string | undefined): number {
  const n = raw && /^\d{1,3}$/.test(raw) ? Number(raw) : 0;
  return n >= 1 && n <= 366 ? n : DEFAULT_EXPIRING_DAYS;
}

interface PageLink {
  label: string;
  href: string;
  current: boolean;
}

export interface Dashboard {
  level: Level;
  search: DigitSearch;
  /** The parameters as understood, to refill the form. */
  values: {
    q: string;
    unit: string;
    program: string;
    purpose: string;
    status: string;
    /** The expiring window in days, "" for the default (30). */
    within: string;
    sort: NumberSort;
  };
  rows: NumberView[];
  /**
   * Names these rows as they are now (filter, date, sort and page): the same key, the same
   * rows, until the data moves. The rendered table is kept under it (web/numbers-table.ts).
   */
  rowsKey: string;
  total: number;
  page: number;
  pageCount: number;
  /** "1–50 of 12,345". */
  rangeLabel: string;
  pageLinks: PageLink[];
  prevHref: string | null;
  nextHref: string | null;
  exportHref: string;
  baseHref: string;
  /** This very view (filters and page), for the results to refresh themselves. */
  selfHref: string;
  /** selfHref, URL-encoded, for "come back here" links of the row menus without JavaScript. */
  returnTo: string;
  filtered: boolean;
  canEdit: boolean;
  /**
   * Columns that can differ from row to row at this level: a unit's numbers all share their
   * unit, a program's their program, display name and duration (product.md §3's columns,
   * minus those that would repeat one value 50 times).
   */
  columns: { unit: boolean; program: boolean };
  options: {
    units: NamedRef[];
    programs: NamedRef[];
    purposes: Array<NamedRef & { retired: boolean }>;
  };
}

/** The filter a set of parameters means at a level; null ids when a search matches nothing. */
async function buildFilter(
  db: Kysely<DB>,
  cache: ReadCache,
  level: Level,
  params: DashboardParams,
  search: DigitSearch,
): Promise<NumberFilter> {
  const status = STATUS_CHOICES.find((s) => s.value === params.status)?.value ?? null;
  const on = today();
  let ids: number[] | null = null;
  let digitsLike: string | null = null;
  if (search.kind === "digits") {
    // Runs of 3+ digits come from the in-memory index; 1–2 digits match too much to list.
    const matched =
      search.digits.length >= 3
        ? await matchDigits(db, cache, level.business.id, search.digits)
        : null;
    if (matched === null) digitsLike = search.digits;
    else ids = matched;
  } else if (search.kind === "invalid") {
    ids = [];
  }
  return {
    level: { kind: level.kind, id: level.id },
    unitId: level.kind === "business" ? idOrNull(params.unit) : null,
    programId: level.kind === "program" ? null : idOrNull(params.program),
    purposeId: idOrNull(params.purpose),
    status,
    ids,
    digitsLike,
    today: on,
    expiringBy: plusDays(on, withinDays(params.within)),
  };
}

function queryString(values: Record<string, string | number>): string {
  const pairs = Object.entries(values).filter(([, v]) => v !== "" && v !== undefined);
  return pairs.length
    ? `?${new URLSearchParams(pairs.map(([k, v]) => [k, String(v)])).toString()}`
    : "";
}

export async function loadDashboard(
  db: Kysely<DB>,
  cache: ReadCache,
  user: CurrentUser,
  level: Level,
  params: DashboardParams,
): Promise<Dashboard> {
  const search = parseDigitSearch(params.q);
  const filter = await buildFilter(db, cache, level, params, search);
  const sort = SORT_CHOICES.find((s) => s.value === params.sort)?.value ?? "added";
  // Exact totals over 100,000 rows cost milliseconds: computed once per data version.
  const countKey = JSON.stringify([
    filter.level,
    filter.unitId,
    filter.programId,
    filter.purposeId,
    filter.status,
    filter.expiringBy,
    search.kind === "digits" ? search.digits : search.kind,
    filter.today,
  ]);
  const total = await cache.get(`count:${countKey}`, () => countNumbers(db, filter));
  const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(Math.max(1, Number.parseInt(params.page ?? "1", 10) || 1), pageCount);
  const offset = (page - 1) * PAGE_SIZE;
  const on = filter.today;
  // A page's rows, named and with their status as of today: read again only when the data
  // moves (the key holds the filter, the date and the page). Of a page's cost, the rows'
  // reads and their shaping were the largest share after rendering (issue 16's profile).
  const rowsKey = `page:${countKey}:${sort}:${offset}`;
  const rows =
    total === 0
      ? []
      : await cache.get(
          rowsKey,
          async () => {
            const named = await numberNamer(db, cache);
            const found = await listNumberPage(db, filter, sort, PAGE_SIZE, offset);
            return found.map((row) => toNumberView(named(row), on));
          },
          { space: "rows" },
        );

  const values = {
    q: replaceControls(params.q?.slice(0, 100) ?? ""),
    unit: filter.unitId === null ? "" : String(filter.unitId),
    program: filter.programId === null ? "" : String(filter.programId),
    purpose: filter.purposeId === null ? "" : String(filter.purposeId),
    status: filter.status ?? "",
    within:
      filter.status === "expiring" && withinDays(params.within) !== DEFAULT_EXPIRING_DAYS
        ? String(withinDays(params.within))
        : "",
    sort,
  };
  const baseHref = `${levelPath(level)}/numbers`;
  const hrefFor = (p: number) =>
    `${baseHref}${queryString({ ...values, sort: sort === "added" ? "" : sort, page: p === 1 ? "" : p })}`;
  const pageNumbers = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pageCount])]
    .filter((p) => p >= 1 && p <= pageCount)
    .sort((a, b) => a - b);

  // At business level the program filter lists the chosen unit's programs: a business can
  // have hundreds, too many for one dropdown (and for every page load to carry).
  const programsOf =
    level.kind === "unit" ? level.id : level.kind === "business" ? filter.unitId : null;
  const options = await cache.get(
    `dashboard-options:${level.kind}:${level.id}:${programsOf}`,
    async () => ({
      units: level.kind === "business" ? await listUnitRefs(db, level.business.id, null) : [],
      programs: programsOf === null ? [] : await listProgramRefs(db, programsOf),
      purposes: (await listCallPurposeRefs(db)).map((p) => ({
        id: p.id,
        name: p.name,
        retired: p.retired_at !== null,
      })),
    }),
  );

  return {
    level,
    search,
    values,
    rows,
    rowsKey,
    total,
    page,
    pageCount,
    rangeLabel:
      total === 0
        ? "0 numbers"
        : `${(offset + 1).toLocaleString("en-US")}–${(offset + rows.length).toLocaleString("en-US")} of ${total.toLocaleString("en-US")}`,
    pageLinks: pageNumbers.map((p) => ({
      label: String(p),
      href: hrefFor(p),
      current: p === page,
    })),
    prevHref: page > 1 ? hrefFor(page - 1) : null,
    nextHref: page < pageCount ? hrefFor(page + 1) : null,
    exportHref: `${baseHref}.csv${queryString({ ...values, sort: sort === "added" ? "" : sort })}`,
    baseHref,
    selfHref: hrefFor(page),
    returnTo: encodeURIComponent(hrefFor(page)),
    filtered: Boolean(values.q || values.unit || values.program || values.purpose || values.status),
    canEdit: canEditNumbers(user),
    columns: { unit: level.kind === "business", program: level.kind !== "program" },
    options,
  };
}

/**
 * The export of a dashboard view as CSV lines, fetched 2,000 numbers at a time so a long
 * export never holds the database (and every other request) for long.
 */
export async function* exportDashboard(
  db: Kysely<DB>,
  cache: ReadCache,
  level: Level,
  params: DashboardParams,
): AsyncGenerator<string> {
  const filter = await buildFilter(db, cache, level, params, parseDigitSearch(params.q));
  yield csvLine(EXPORT_HEADER);
  let afterId = 0;
  for (;;) {
    const rows = await listNumberRowsAfter(db, filter, afterId, 2_000);
    if (rows.length === 0) return;
    for (const row of rows) {
      const n = toNumberView(row, filter.today);
      yield csvLine([
        n.e164,
        n.national,
        n.business_name,
        n.unit_name,
        n.program_name,
        n.display_name,
        n.purpose_name,
        n.starts_on,
        n.ends_on,
        n.statusLabel,
        n.created_at,
      ]);
    }
    afterId = rows[rows.length - 1]?.id ?? afterId;
  }
}

const EXPORT_HEADER = [
  "phone_number",
  "national_format",
  "business",
  "business_unit",
  "program",
  "display_name",
  "call_purpose",
  "program_starts_on",
  "program_ends_on",
  "status",
  "added_at",
];
