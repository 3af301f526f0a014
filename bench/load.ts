import autocannon from "autocannon";

/**
 * What a target is judged by: its requests/s as a share of the bare Fastify floor's measured
 * beside it, or its p99 latency.
 */
type Goal = { minShareOfFloor: number } | { maxP99Ms: number };

export interface Target {
  name: string;
  path: string;
  /** Text the answer should contain (e.g. "of 4,771"), to show it is the page meant. */
  expect: string;
  goal: Goal;
  /** The portal's own /healthz: the other targets are also reported as a share of it. */
  healthz?: boolean;
}

export interface LoadSettings {
  connections: number;
  warmupSeconds: number;
  /** Rounds per target, each a run of the floor then one of the target. */
  rounds: number;
  /** Length of one run, floor or target. */
  seconds: number;
  /** A request slower than this counts as a timeout (autocannon's default is 10 s too). */
  timeoutSeconds: number;
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

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** How far apart the rounds are: (highest − lowest) / median. */
function spreadOf(values: number[]): number {
  const middle = median(values);
  return middle > 0 ? (Math.max(...values) - Math.min(...values)) / middle : Number.NaN;
}

export interface Measurement extends Target {
  /** Medians over the rounds. */
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Each round's requests/s divided by the floor's run just before it. */
  sharesOfFloor: number[];
  shareOfFloor: number;
  /** (highest − lowest) / median of the shares: above 0.10 the machine was not steady. */
  spread: number;
  floorRequestsPerSecond: number;
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

export interface Endpoint {
  baseUrl: string;
  headers: Record<string, string>;
}

function load(endpoint: Endpoint, path: string, seconds: number, settings: LoadSettings) {
  return autocannon({
    url: `${endpoint.baseUrl}${path}`,
    connections: settings.connections,
    duration: seconds,
    timeout: settings.timeoutSeconds,
    headers: endpoint.headers,
  });
}

/**
 * Loads one target in rounds interleaved with the floor: a warm-up of each (caches, JIT,
 * SQLite's page cache; its numbers are thrown away, its answers still checked), then
 * `rounds` × (floor run, target run). A machine's pace drifts by tens of percent over a
 * minute when it is shared; a floor run seconds before each target run drifts with it, so the
 * ratio holds steadier than either figure. Bounded by time, not by a request count, so a slow
 * page cannot stretch the bench.
 */
export async function measure(
  portal: Endpoint,
  floor: Endpoint,
  target: Target,
  settings: LoadSettings,
): Promise<Measurement> {
  const warmup = await load(portal, target.path, settings.warmupSeconds, settings);
  await load(floor, "/healthz", settings.warmupSeconds, settings);
  const floors: autocannon.Result[] = [];
  const runs: autocannon.Result[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    floors.push(await load(floor, "/healthz", settings.seconds, settings));
    runs.push(await load(portal, target.path, settings.seconds, settings));
  }
  const sharesOfFloor = runs.map((run, i) => {
    const floorRate = floors[i]?.requests.average ?? 0;
    return floorRate > 0 ? run.requests.average / floorRate : 0;
  });
  const ok = runs.reduce((sum, run) => sum + run["2xx"], 0);
  const bytes = runs.reduce((sum, run) => sum + run.throughput.total, 0);
  return {
    ...target,
    requestsPerSecond: median(runs.map((run) => run.requests.average)),
    p50: median(runs.map((run) => run.latency.p50)),
    p99: median(runs.map((run) => run.latency.p99)),
    sharesOfFloor,
    shareOfFloor: median(sharesOfFloor),
    spread: spreadOf(sharesOfFloor),
    floorRequestsPerSecond: median(floors.map((run) => run.requests.average)),
    max: Math.max(...runs.map((run) => run.latency.max)),
    requests: runs.reduce((sum, run) => sum + run.requests.total, 0),
    bytesPerResponse: ok > 0 ? Math.round(bytes / ok) : 0,
    statusCodes: statusCodes(warmup, ...runs),
    errors: warmup.errors + runs.reduce((sum, run) => sum + run.errors, 0),
    timeouts: warmup.timeouts + runs.reduce((sum, run) => sum + run.timeouts, 0),
    problems: [
      ...problemsOf(warmup).map((p) => `warm-up: ${p}`),
      ...runs.flatMap((run, i) => problemsOf(run).map((p) => `round ${i + 1}: ${p}`)),
    ],
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
