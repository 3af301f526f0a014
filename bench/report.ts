import type { Measurement } from "./load.js";

/** The issue's targets, at 10 connections. */
export const GOALS = {
  /** Unfiltered dashboard pages and View Assignments: this share of /healthz's requests/s. */
  minShareOfHealthz: 0.2,
  /** Filtered pages and digit search: p99 latency at most this, in ms. */
  maxFilteredP99Ms: 50,
  /** Peak resident memory of the server, in MiB (1 MiB = 1,048,576 bytes). */
  maxPeakRssMiB: 300,
};

interface Row extends Measurement {
  /** requests/s as a share of /healthz's. */
  share: number;
  goal: string;
  pass: boolean;
}

export interface Verdict {
  rows: Row[];
  peakRssMiB: number | null;
  rssPass: boolean;
  pass: boolean;
}

export function judge(measurements: Measurement[], peakRssBytes: number | null): Verdict {
  const baseline = measurements.find((m) => m.kind === "baseline");
  const healthz = baseline?.requestsPerSecond ?? 0;
  const rows = measurements.map((m): Row => {
    const share = healthz > 0 ? m.requestsPerSecond / healthz : 0;
    const valid = m.problems.length === 0;
    if (m.kind === "unfiltered") {
      return {
        ...m,
        share,
        goal: `≥ ${GOALS.minShareOfHealthz.toFixed(2)}× healthz`,
        pass: valid && share >= GOALS.minShareOfHealthz,
      };
    }
    if (m.kind === "filtered") {
      return {
        ...m,
        share,
        goal: `p99 ≤ ${GOALS.maxFilteredP99Ms} ms`,
        pass: valid && m.p99 <= GOALS.maxFilteredP99Ms,
      };
    }
    return { ...m, share, goal: "baseline", pass: valid };
  });
  const peakRssMiB = peakRssBytes === null ? null : peakRssBytes / (1024 * 1024);
  const rssPass = peakRssMiB !== null && peakRssMiB <= GOALS.maxPeakRssMiB;
  return { rows, peakRssMiB, rssPass, pass: rssPass && rows.every((r) => r.pass) };
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

/** The results as the terminal shows them. */
export function formatVerdict(verdict: Verdict): string {
  const lines = verdict.rows.map((row) => [
    row.name,
    Math.round(row.requestsPerSecond).toLocaleString("en-US"),
    ms(row.p50),
    ms(row.p99),
    row.share.toFixed(3),
    row.goal,
    row.problems.length > 0 ? "INVALID" : row.pass ? "PASS" : "FAIL",
  ]);
  const rss = verdict.peakRssMiB;
  const rssLine =
    `Peak RSS of the server: ${rss === null ? "unknown (no /proc)" : `${rss.toFixed(1)} MiB`}` +
    `  (goal ≤ ${GOALS.maxPeakRssMiB} MiB)  ${verdict.rssPass ? "PASS" : "FAIL"}`;
  const problems = verdict.rows
    .filter((row) => row.problems.length > 0)
    .map((row) => `INVALID ${row.name}: ${row.problems.join(", ")}`);
  return [
    table(
      ["Target", "req/s", "p50 ms", "p99 ms", "×healthz", "Goal", "Result"],
      lines,
      new Set([1, 2, 3, 4]),
    ),
    "",
    rssLine,
    ...problems,
    "",
    `Overall: ${verdict.pass ? "PASS" : "FAIL"}`,
  ].join("\n");
}
