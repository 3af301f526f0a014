import { type Measurement, median } from "./load.js";

/** The issues' targets, at 10 connections (issue 16 for the shares of the floor). */
export const GOALS = {
  /** The portal's /healthz: the cost every request pays, against bare Fastify. */
  healthzShareOfFloor: 0.5,
  /** Unfiltered dashboard pages. */
  dashboardShareOfFloor: 0.06,
  /** View Assignments. */
  assignmentsShareOfFloor: 0.12,
  /** Filtered pages and digit search: p99 latency at most this, in ms. */
  maxFilteredP99Ms: 50,
  /** The business Overview (issue 15): p99 latency at most this, in ms. */
  maxOverviewP99Ms: 100,
  /** Peak resident memory of the server, in MiB (1 MiB = 1,048,576 bytes). */
  maxPeakRssMiB: 300,
  /** Above this spread of a target's rounds, its figure is reported as unsteady. */
  maxSteadySpread: 0.1,
};

interface Row extends Measurement {
  /** Median requests/s as a share of the portal's /healthz's (reported, not a goal). */
  shareOfHealthz: number;
  goalText: string;
  pass: boolean;
  steady: boolean;
}

export interface Verdict {
  rows: Row[];
  peakRssMiB: number | null;
  rssPass: boolean;
  pass: boolean;
  /** Every target's rounds within GOALS.maxSteadySpread of each other. */
  steady: boolean;
}

export function judge(measurements: Measurement[], peakRssBytes: number | null): Verdict {
  const healthz = measurements.find((m) => m.healthz)?.requestsPerSecond ?? 0;
  const rows = measurements.map((m): Row => {
    const valid = m.problems.length === 0;
    const shareOfHealthz = healthz > 0 ? m.requestsPerSecond / healthz : 0;
    const steady = !(m.spread > GOALS.maxSteadySpread);
    if ("minShareOfFloor" in m.goal) {
      return {
        ...m,
        shareOfHealthz,
        steady,
        goalText: `≥ ${m.goal.minShareOfFloor}× floor`,
        pass: valid && m.shareOfFloor >= m.goal.minShareOfFloor,
      };
    }
    return {
      ...m,
      shareOfHealthz,
      steady,
      goalText: `p99 ≤ ${m.goal.maxP99Ms} ms`,
      pass: valid && m.p99 <= m.goal.maxP99Ms,
    };
  });
  const peakRssMiB = peakRssBytes === null ? null : peakRssBytes / (1024 * 1024);
  const rssPass = peakRssMiB !== null && peakRssMiB <= GOALS.maxPeakRssMiB;
  return {
    rows,
    peakRssMiB,
    rssPass,
    pass: rssPass && rows.every((r) => r.pass),
    steady: rows.every((r) => r.steady),
  };
}

function table(header: string[], lines: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) =>
        rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [format(header), rule, ...lines.map(format)].join("\n");
}

/** autocannon records whole milliseconds; a fraction only appears in averages. */
const ms = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

const pct = (value: number) => `${(value * 100).toFixed(0)} %`;

/** The results as the terminal shows them. */
export function formatVerdict(verdict: Verdict): string {
  const lines = verdict.rows.map((row) => [
    row.name,
    Math.round(row.requestsPerSecond).toLocaleString("en-US"),
    ms(row.p50),
    ms(row.p99),
    row.shareOfFloor.toFixed(3),
    `${pct(row.spread)}${row.steady ? "" : " !"}`,
    row.healthz ? "" : row.shareOfHealthz.toFixed(3),
    row.goalText,
    row.problems.length > 0 ? "INVALID" : row.pass ? "PASS" : "FAIL",
  ]);
  const floor = median(verdict.rows.map((row) => row.floorRequestsPerSecond));
  const rss = verdict.peakRssMiB;
  const rssLine =
    `Peak RSS of the server: ${rss === null ? "unknown (no /proc)" : `${rss.toFixed(1)} MiB`}` +
    `  (goal ≤ ${GOALS.maxPeakRssMiB} MiB)  ${verdict.rssPass ? "PASS" : "FAIL"}`;
  const problems = verdict.rows
    .filter((row) => row.problems.length > 0)
    .map((row) => `INVALID ${row.name}: ${row.problems.join(", ")}`);
  const unsteady = verdict.rows.filter((row) => !row.steady).map((row) => row.name);
  return [
    table(
      ["Target", "req/s", "p50 ms", "p99 ms", "×floor", "spread", "×healthz", "Goal", "Result"],
      lines,
      new Set([1, 2, 3, 4, 5, 6]),
    ),
    "",
    `Floor (bare Fastify, {"status":"ok"}): median ${Math.round(floor).toLocaleString("en-US")} req/s. ` +
      "Medians over the rounds; ×floor is each round's share of the floor run just before it.",
    unsteady.length > 0
      ? `UNSTEADY: spread above ${pct(GOALS.maxSteadySpread)} for ${unsteady.join(", ")}; the machine was not quiet enough for these figures.`
      : `Steady: every target's rounds within ${pct(GOALS.maxSteadySpread)} of each other.`,
    rssLine,
    ...problems,
    "",
    `Overall: ${verdict.pass ? "PASS" : "FAIL"}`,
  ].join("\n");
}
