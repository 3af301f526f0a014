import autocannon from "autocannon";

/** How a target is judged: the baseline itself, by throughput, or by latency. */
type TargetKind = "baseline" | "unfiltered" | "filtered";

export interface Target {
  name: string;
  path: string;
  kind: TargetKind;
  /** Text the answer should contain (e.g. "of 4,771"), to show it is the page meant. */
  expect: string;
}

export interface LoadSettings {
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** A request slower than this counts as a timeout (autocannon's default is 10 s too). */
  timeoutSeconds: number;
}

export interface Measurement extends Target {
  requestsPerSecond: number;
  /** Latency in milliseconds, of the measured run (the warm-up is not counted). */
  p50: number;
  p99: number;
  max: number;
  requests: number;
  /** Mean size of a 200 answer, in bytes: a full page, not an error or an empty list. */
  bytesPerResponse: number;
  /** Count by status code, e.g. { "200": 12345 }, warm-up included. */
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** What made this measurement invalid (a non-200 answer, an error); empty when none. */
  problems: string[];
}

/** Answers that make a run's numbers meaningless: anything but 200, errors, timeouts. */
function problemsOf(result: autocannon.Result): string[] {
  const problems: string[] = [];
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    if (code !== "200") problems.push(`${stats.count ?? 0}× status ${code}`);
  }
  if (result.errors > 0) problems.push(`${result.errors} errors (${result.timeouts} timeouts)`);
  return problems;
}

function statusCodes(...results: autocannon.Result[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
      counts[code] = (counts[code] ?? 0) + (stats.count ?? 0);
    }
  }
  return counts;
}

/**
 * Loads one target: a warm-up (caches, JIT, SQLite's page cache) whose numbers are thrown
 * away but whose answers are still checked, then the measured run. Both are bounded by time,
 * not by a request count, so a slow page cannot stretch the bench.
 */
export async function measure(
  baseUrl: string,
  target: Target,
  headers: Record<string, string>,
  settings: LoadSettings,
): Promise<Measurement> {
  const options = (duration: number): autocannon.Options => ({
    url: `${baseUrl}${target.path}`,
    connections: settings.connections,
    duration,
    timeout: settings.timeoutSeconds,
    headers,
  });
  const warmup = await autocannon(options(settings.warmupSeconds));
  const result = await autocannon(options(settings.seconds));
  return {
    ...target,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    bytesPerResponse: result["2xx"] > 0 ? Math.round(result.throughput.total / result["2xx"]) : 0,
    statusCodes: statusCodes(warmup, result),
    errors: warmup.errors + result.errors,
    timeouts: warmup.timeouts + result.timeouts,
    problems: [...problemsOf(warmup).map((p) => `warm-up: ${p}`), ...problemsOf(result)],
  };
}

/**
 * One request per target before any load, so a wrong cookie or id fails in a second with
 * the answer's status and redirect instead of after minutes of measuring 303s. Returns
 * warnings for answers that lack their expected text: worth a look, but wording changes on
 * a page should not stop the bench.
 */
export async function preflight(
  baseUrl: string,
  targets: Target[],
  headers: Record<string, string>,
): Promise<string[]> {
  const failures: string[] = [];
  const warnings: string[] = [];
  for (const target of targets) {
    const response = await fetch(`${baseUrl}${target.path}`, { headers, redirect: "manual" });
    const body = await response.text();
    if (response.status !== 200) {
      const location = response.headers.get("location");
      failures.push(
        `${target.path} answered ${response.status}${location ? ` → ${location}` : ""}` +
          (location?.startsWith("/login") ? " (the session cookie was not accepted)" : ""),
      );
    } else if (!body.includes(target.expect)) {
      warnings.push(`${target.path} does not show "${target.expect}": is it the page meant?`);
    }
  }
  if (failures.length > 0) {
    throw new Error(`Targets did not answer 200 before the load:\n  ${failures.join("\n  ")}`);
  }
  return warnings;
}
