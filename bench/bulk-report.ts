/** Judging and printing the bulk half of the bench against the issue's targets. */
import { BULK_GOALS, type Floor, LEAD_IN_MS } from "./bulk.js";
import type { UploadRun } from "./bulk-upload.js";

interface BulkRow extends UploadRun {
  floorSeconds: number;
  /** seconds / floorSeconds. */
  shareOfFloor: number;
  /** Judged on the runs timed alone (as the floor is); null for the loaded runs. */
  passTime: boolean | null;
  /** Judged on the runs made while the dashboard is loaded; null for the others. */
  passDashboard: boolean | null;
  passRss: boolean;
  pass: boolean;
}

export interface BulkVerdict {
  rows: BulkRow[];
  /** The server's own high-water mark over the whole bulk half (VmHWM). */
  peakRssMiB: number | null;
  rssPass: boolean;
  pass: boolean;
  valid: boolean;
}

const MiB = 1024 * 1024;

export function judgeBulk(
  runs: UploadRun[],
  floor: Floor,
  serverPeakRssBytes: number | null,
): BulkVerdict {
  const rows = runs.map((run): BulkRow => {
    const floorSeconds =
      floor.parseSeconds + (run.kind === "delete" ? floor.deleteSeconds : floor.insertSeconds);
    const shareOfFloor = run.seconds / floorSeconds;
    const valid = run.problems.length === 0;
    const alone = run.dashboard === null;
    const passTime = alone
      ? valid && shareOfFloor <= BULK_GOALS.maxShareOfFloor && run.seconds <= BULK_GOALS.maxSeconds
      : null;
    const p99 = run.dashboard?.p99 ?? null;
    const passDashboard = alone
      ? null
      : valid && p99 !== null && p99 <= BULK_GOALS.maxDashboardP99Ms;
    const passRss = run.peakRssBytes !== null && run.peakRssBytes / MiB <= BULK_GOALS.maxPeakRssMiB;
    return {
      ...run,
      floorSeconds,
      shareOfFloor,
      passTime,
      passDashboard,
      passRss,
      pass: passTime !== false && passDashboard !== false && passRss,
    };
  });
  const peakRssMiB = serverPeakRssBytes === null ? null : serverPeakRssBytes / MiB;
  const rssPass = peakRssMiB !== null && peakRssMiB <= BULK_GOALS.maxPeakRssMiB;
  return {
    rows,
    peakRssMiB,
    rssPass,
    pass: rssPass && rows.length > 0 && rows.every((r) => r.pass),
    valid: rows.every((r) => r.problems.length === 0),
  };
}

const verdictOf = (pass: boolean | null) => (pass === null ? "-" : pass ? "PASS" : "FAIL");
/** autocannon times each response to the microsecond; a tenth of a millisecond is plenty. */
const ms = (value: number | null) => (value === null ? "-" : `${value.toFixed(1)} ms`);

/** The bulk results as the terminal shows them. */
export function formatBulkVerdict(verdict: BulkVerdict, floor: Floor): string {
  const header = ["Run", "s", "floor s", "×floor", "time", "dash p99", "dash", "RSS MiB", "RSS"];
  const lines = verdict.rows.map((row) => [
    row.name,
    row.seconds.toFixed(2),
    row.floorSeconds.toFixed(2),
    row.shareOfFloor.toFixed(2),
    row.problems.length > 0 ? "INVALID" : verdictOf(row.passTime),
    ms(row.dashboard?.p99 ?? null),
    row.problems.length > 0 ? "INVALID" : verdictOf(row.passDashboard),
    row.peakRssBytes === null ? "-" : (row.peakRssBytes / MiB).toFixed(1),
    verdictOf(row.passRss),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const rss = verdict.peakRssMiB;
  return [
    format(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...lines.map(format),
    "",
    `Floor: libphonenumber-js parse + isValid ${floor.parseSeconds.toFixed(2)} s (best of 3) + raw delete ` +
      `${floor.deleteSeconds.toFixed(2)} s / raw insert ${floor.insertSeconds.toFixed(2)} s ` +
      "(one transaction, prepared statement, the portal's pragmas).",
    ...verdict.rows.flatMap(({ name, dashboard: d }) =>
      d === null
        ? []
        : [
            `${name}: dashboard ${d.requests} requests during the upload, p50 ${ms(d.p50)}, ` +
              `p99 ${ms(d.p99)}, max ${ms(d.max)} (p99 ${ms(d.p99Before)} in the ` +
              `${LEAD_IN_MS} ms before it).`,
          ],
    ),
    `Goals: each run alone ≤ ${BULK_GOALS.maxShareOfFloor}× its floor and ≤ ` +
      `${BULK_GOALS.maxSeconds} s; dashboard p99 during a loaded upload ≤ ` +
      `${BULK_GOALS.maxDashboardP99Ms} ms; ` +
      `peak RSS ≤ ${BULK_GOALS.maxPeakRssMiB} MiB.`,
    `Peak RSS of the server over the bulk half: ` +
      `${rss === null ? "unknown (no /proc)" : `${rss.toFixed(1)} MiB`}  ${verdictOf(verdict.rssPass)}`,
    ...verdict.rows
      .filter((row) => row.problems.length > 0)
      .map((row) => `INVALID ${row.name}: ${row.problems.join("; ")}`),
    "",
    `Bulk overall: ${verdictOf(verdict.pass)}`,
  ].join("\n");
}
