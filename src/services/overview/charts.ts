import { scaleBand, scaleLinear, scaleUtc } from "d3-scale";
import { arc, type PieArcDatum, pie } from "d3-shape";

/**
 * Geometry of the Overview's charts, computed here so the templates only draw: each chart is
 * an inline SVG the server sends (no JavaScript, prints, nothing for the CSP to refuse).
 * Colours are CSS classes (app.css), never style attributes. Numbers are rounded to tenths:
 * the SVG stays short and identical from one render to the next.
 */

/** One thing a chart counts: a label, its count and where its bar links to (or nowhere). */
export interface Segment {
  key: string;
  label: string;
  count: number;
  href: string | null;
  /** A colour class from app.css, e.g. "fill-active". */
  tone: string;
}

const r1 = (n: number) => Math.round(n * 10) / 10;
const count = (n: number) => n.toLocaleString("en-US");

interface DonutSlice extends Segment {
  path: string;
  /** "Active: 1,240 numbers (62%)", for the link's accessible name and tooltip. */
  title: string;
}

export interface Donut {
  size: number;
  slices: DonutSlice[];
  total: number;
}

/** A ring of segments (numbers by status), the total in the middle. */
export function donut(segments: Segment[], size = 180): Donut {
  const total = segments.reduce((sum, s) => sum + s.count, 0);
  const radius = size / 2;
  const shape = arc<PieArcDatum<Segment>>()
    .innerRadius(radius * 0.6)
    .outerRadius(radius - 2)
    .padAngle(segments.filter((s) => s.count > 0).length > 1 ? 0.015 : 0);
  const arcs = pie<Segment>()
    .value((s) => s.count)
    .sort(null)(segments.filter((s) => s.count > 0));
  return {
    size,
    total,
    slices: arcs.map((a) => ({
      ...a.data,
      path: (shape(a) ?? "").replace(/\d+\.\d+/g, (n) => String(r1(Number(n)))),
      title: `${a.data.label}: ${count(a.data.count)} (${Math.round((a.data.count / total) * 100)}%)`,
    })),
  };
}

interface Bar extends Segment {
  y: number;
  width: number;
  labelY: number;
  title: string;
}

export interface BarChart {
  width: number;
  height: number;
  labelWidth: number;
  barHeight: number;
  bars: Bar[];
}

/** Horizontal bars, one a row, labels on the left and counts at the bars' ends. */
export function barChart(segments: Segment[], width = 440): BarChart {
  const labelWidth = 170;
  const row = 28;
  const height = Math.max(1, segments.length) * row;
  const max = Math.max(1, ...segments.map((s) => s.count));
  // Room at the right for the count written after the longest bar.
  const x = scaleLinear()
    .domain([0, max])
    .range([0, width - labelWidth - 60]);
  const y = scaleBand<string>()
    .domain(segments.map((s) => s.key))
    .range([0, height])
    .padding(0.25);
  return {
    width,
    height,
    labelWidth,
    barHeight: r1(y.bandwidth()),
    bars: segments.map((s) => {
      const top = y(s.key) ?? 0;
      return {
        ...s,
        y: r1(top),
        // A bar of one number among a million still shows as a sliver.
        width: s.count > 0 ? Math.max(2, r1(x(s.count))) : 0,
        labelY: r1(top + y.bandwidth() / 2),
        title: `${s.label}: ${count(s.count)}`,
      };
    }),
  };
}

/** A program on the timeline; dates YYYY-MM-DD, null for an open start or end. */
export interface TimelineInput {
  key: string;
  label: string;
  startsOn: string | null;
  endsOn: string | null;
  href: string;
  /** "expiring-30", "expiring-60", "expiring-90", "expired", "scheduled" or "active". */
  tone: string;
  title: string;
}

interface TimelineBar extends TimelineInput {
  x: number;
  y: number;
  width: number;
  labelY: number;
  openStart: boolean;
  openEnd: boolean;
}

export interface Timeline {
  width: number;
  height: number;
  labelWidth: number;
  barHeight: number;
  todayX: number;
  axisY: number;
  ticks: Array<{ x: number; label: string }>;
  bars: TimelineBar[];
}

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

/**
 * Programs as bars over time, today marked. The window runs from 90 days before today to
 * 180 after (wide enough for the 30/60/90-day highlights), stretched to the programs' own
 * dates within a year either side; a bar that runs past an edge, or has no end, is open there.
 */
export function timeline(programs: TimelineInput[], on: string, width = 760): Timeline {
  const labelWidth = 190;
  const row = 26;
  const axis = 24;
  // Room above the first bar for the "Today" label.
  const top = 18;
  const now = day(on);
  // ISO dates sort as text.
  const dates = [on, ...programs.flatMap((p) => [p.startsOn, p.endsOn])]
    .filter((d) => d !== null)
    .sort();
  const earliest = dates[0] ?? on;
  const latest = dates[dates.length - 1] ?? on;
  const from = new Date(
    Math.max(
      addDays(now, -365).getTime(),
      Math.min(day(earliest).getTime(), addDays(now, -90).getTime()),
    ),
  );
  const to = new Date(
    Math.min(
      addDays(now, 365).getTime(),
      Math.max(day(latest).getTime(), addDays(now, 180).getTime()),
    ),
  );
  const x = scaleUtc()
    .domain([from, to])
    .range([labelWidth, width - 10]);
  const height = top + Math.max(1, programs.length) * row + axis;
  const y = scaleBand<string>()
    .domain(programs.map((p) => p.key))
    .range([top, height - axis])
    .padding(0.3);
  const clamp = (d: Date) => Math.min(Math.max(x(d), labelWidth), width - 10);
  return {
    width,
    height,
    labelWidth,
    barHeight: r1(y.bandwidth()),
    todayX: r1(x(now)),
    axisY: height - axis,
    ticks: x.ticks(6).map((t) => ({
      x: r1(x(t)),
      label: t.toLocaleDateString("en-US", { month: "short", year: "numeric", timeZone: "UTC" }),
    })),
    bars: programs.map((p) => {
      const start = p.startsOn === null ? from : day(p.startsOn);
      // Both days are included: a program ending today still runs through today.
      const end = p.endsOn === null ? to : addDays(day(p.endsOn), 1);
      const left = clamp(start);
      const top = y(p.key) ?? 0;
      return {
        ...p,
        x: r1(left),
        y: r1(top),
        width: Math.max(2, r1(clamp(end) - left)),
        labelY: r1(top + y.bandwidth() / 2),
        openStart: p.startsOn === null || start < from,
        openEnd: p.endsOn === null || end > to,
      };
    }),
  };
}

export interface WeekInput {
  start: string;
  added: number;
  removed: number;
  addedHref: string;
  removedHref: string;
}

interface WeekBars extends WeekInput {
  x: number;
  addedY: number;
  addedHeight: number;
  removedX: number;
  removedY: number;
  removedHeight: number;
  label: string;
  addedTitle: string;
  removedTitle: string;
}

export interface WeekChart {
  width: number;
  height: number;
  plotTop: number;
  baseY: number;
  barWidth: number;
  max: number;
  weeks: WeekBars[];
}

/** Numbers added and removed per week: two bars a week, side by side. */
export function weekChart(weeks: WeekInput[], width = 760, height = 170): WeekChart {
  const plotTop = 16;
  const baseY = height - 28;
  const max = Math.max(1, ...weeks.flatMap((w) => [w.added, w.removed]));
  const y = scaleLinear().domain([0, max]).range([baseY, plotTop]).nice();
  const x = scaleBand<string>()
    .domain(weeks.map((w) => w.start))
    .range([40, width - 10])
    .paddingInner(0.3)
    .paddingOuter(0.1);
  const barWidth = x.bandwidth() / 2;
  const heightOf = (n: number) => (n > 0 ? Math.max(2, r1(baseY - y(n))) : 0);
  return {
    width,
    height,
    plotTop,
    baseY,
    barWidth: r1(barWidth),
    max: y.domain()[1] ?? max,
    weeks: weeks.map((w) => {
      const left = x(w.start) ?? 0;
      const label = day(w.start).toLocaleDateString("en-US", {
        month: "short",
        day: "numeric",
        timeZone: "UTC",
      });
      return {
        ...w,
        x: r1(left),
        addedHeight: heightOf(w.added),
        addedY: r1(baseY - heightOf(w.added)),
        removedX: r1(left + barWidth),
        removedHeight: heightOf(w.removed),
        removedY: r1(baseY - heightOf(w.removed)),
        label,
        addedTitle: `Week of ${label}: ${count(w.added)} added`,
        removedTitle: `Week of ${label}: ${count(w.removed)} removed`,
      };
    }),
  };
}
