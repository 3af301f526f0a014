/**
 * `npm run bench`: how fast the portal serves its heaviest pages over a 1,000,000-number
 * database. A benchmark, not a test: it reports PASS/FAIL against the issue's targets and
 * exits 0 either way; it exits non-zero only when the bench itself could not run (or a target
 * answered anything but 200, which makes its numbers meaningless).
 *
 * 1. Makes a temporary folder with a database of 10 businesses, 200 units, 2,000 programs and
 *    1,000,000 numbers: a copy of bench/cache/bench-1m.db when that file's schema is current
 *    (and its data the bench's), else seeded with the seed service (and then cached). Runs
 *    ANALYZE and PRAGMA optimize on it once.
 * 2. Starts the built server (dist/src/server.js) as a child process on a free port of
 *    127.0.0.1 with that database, LOG_LEVEL=warn and ADMIN_EMAIL/ADMIN_PASSWORD (the seeded
 *    database has no users, so the admin is created at first start), and waits for /healthz.
 * 3. Signs in like a browser (the form's _csrf field and nd_csrf cookie, then POST /login) and
 *    sends the nd_session and nd_csrf cookies with every request after that, /healthz too, so
 *    the baseline pays the same session lookup as the pages it is compared with.
 * 4. Picks its targets from the database: the unit closest to 5,000 numbers, the business
 *    closest to 100,000, a number of that business, a call purpose and 4 digits found there.
 * 5. Starts the floor (bench/floor-server.ts): a bare Fastify app answering {"status":"ok"}.
 *    Checks each target answers 200 once, then loads each with autocannon at 10 connections:
 *    a 2 s warm-up, then 5 rounds of 3 s, the floor then the target (bench/load.ts says why).
 *    Any answer but 200 (or an error) marks it INVALID.
 * 6. Prints, as medians over the rounds, requests/s, p50 and p99, the share of the floor
 *    (the goals) and of /healthz, and the rounds' spread (above 10 %: UNSTEADY), and the
 *    server's peak RSS, with PASS/FAIL; writes the same to bench/results.json.
 * 7. Then the bulk half (issue 5, bench/bulk-half.ts), on a fresh server so its peak RSS
 *    is its own: the first 100,000 numbers of the largest business deleted by a CSV upload at
 *    that business, then added back by upload at its largest unit, each timed from request to
 *    303 and checked on its job page; first alone (compared with a floor measured in this
 *    process beforehand: parsePhoneInput over the lines plus the raw delete or insert of the
 *    rows in one transaction, on a copy), then again while autocannon loads that unit's
 *    dashboard (its p99 during the upload).
 * 8. Then the list (issue 12, bench/entry-list.ts): the Manual tab's 1,000-entry list
 *    re-rendered by the server, as Add to Delete List asks for it with htmx, timed one
 *    request at a time (goal: median ≤ 50 ms).
 * 9. Stops the servers (SIGTERM, then waits for them to exit) and removes the temporary folder,
 *    also when anything above fails; a watchdog ends a bench that runs far too long.
 *
 * `--only dashboard`, `--only bulk` or `--only list` runs one part; results.json then holds
 * that part alone.
 *
 * autocannon runs in this process on the same machine, so on few CPUs it competes with the
 * server for them; comparing each page with /healthz, measured the same way, offsets part of
 * that. Everything stays on 127.0.0.1.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { formatNational } from "../src/domain/phone-format.js";
import { PROJECT_ROOT } from "../src/paths.js";
import { bulkHalf } from "./bulk-half.js";
import { BENCH_NUMBERS, pickTargets, prepareDatabase, type Targets } from "./dataset.js";
import { entryListHalf } from "./entry-list.js";
import { type LoadSettings, type Measurement, measure, preflight, type Target } from "./load.js";
import { formatVerdict, GOALS, judge } from "./report.js";
import { killAllNow, type RunningServer, startServer } from "./server.js";
import { BROWSER_ACCEPT, signIn } from "./session.js";

const SETTINGS: LoadSettings = {
  connections: 10,
  warmupSeconds: 2,
  rounds: 5,
  seconds: 3,
  timeoutSeconds: 10,
};
/**
 * At info level the server writes a JSON log line per request; at thousands of requests a
 * second that would measure pino and the pipe to this process, not the portal.
 */
const LOG_LEVEL = "warn";
const CACHE_FILE = join(PROJECT_ROOT, "bench", "cache", "bench-1m.db");
const RESULTS_FILE = join(PROJECT_ROOT, "bench", "results.json");
const SERVER_ENTRY = join(PROJECT_ROOT, "dist", "src", "server.js");
const FLOOR_ENTRY = join(PROJECT_ROOT, "dist", "bench", "floor-server.js");
/**
 * Seeding takes well under a minute, the dashboard half about 2 and the bulk half a few:
 * twenty minutes means something hangs.
 */
const WATCHDOG_MS = 20 * 60 * 1000;

const log = (line: string) => console.log(line);
const n = (value: number) => value.toLocaleString("en-US");

function targetList(t: Targets): Target[] {
  const unit = `/units/${t.unit.id}/numbers`;
  const business = `/businesses/${t.business.id}/numbers`;
  // The dashboards' "1–50 of N" shows each is the page meant, with all of its numbers.
  const of = (total: number) => `of ${n(total)}`;
  const dashboard = { minShareOfFloor: GOALS.dashboardShareOfFloor };
  const filtered = { maxP99Ms: GOALS.maxFilteredP99Ms };
  return [
    {
      name: "/healthz",
      path: "/healthz",
      expect: '"ok"',
      goal: { minShareOfFloor: GOALS.healthzShareOfFloor },
      healthz: true,
    },
    { name: "Unit dashboard, page 1", path: unit, goal: dashboard, expect: of(t.unit.numbers) },
    {
      name: "Unit dashboard, last page",
      path: `${unit}?page=${t.unit.lastPage}`,
      goal: dashboard,
      expect: `${n(t.unit.numbers)} ${of(t.unit.numbers)}`,
    },
    {
      name: "Business dashboard, page 1",
      path: business,
      goal: dashboard,
      expect: of(t.business.numbers),
    },
    {
      name: "Business, by call purpose",
      path: `${business}?purpose=${t.purpose.id}`,
      goal: filtered,
      expect: of(t.purpose.numbers),
    },
    {
      name: "Business, 4-digit search",
      path: `${business}?q=${t.digits.text}`,
      goal: filtered,
      expect: of(t.digits.matches),
    },
    {
      name: "Business Overview",
      path: `/businesses/${t.business.id}/overview`,
      goal: { maxP99Ms: GOALS.maxOverviewP99Ms },
      expect: `${n(t.business.numbers)} numbers`,
    },
    {
      name: "View Assignments (page)",
      path: `/numbers/${t.number.id}/assignments`,
      goal: { minShareOfFloor: GOALS.assignmentsShareOfFloor },
      expect: formatNational(t.number.e164),
    },
  ];
}

type Half = "dashboard" | "bulk" | "list";

/** `--only dashboard`, `--only bulk` or `--only list` (also `--only=…`) runs one part; all by default. */
function halvesFromArgs(args: string[]): Set<Half> {
  const at = args.findIndex((a) => a === "--only" || a.startsWith("--only="));
  if (at === -1) return new Set(["dashboard", "bulk", "list"]);
  const value = args[at]?.startsWith("--only=") ? args[at]?.slice(7) : args[at + 1];
  if (value !== "dashboard" && value !== "bulk" && value !== "list") {
    throw new Error(
      `--only takes "dashboard", "bulk" or "list", not ${JSON.stringify(value ?? "")}.`,
    );
  }
  return new Set([value]);
}

interface Admin {
  email: string;
  password: string;
}

/** A fresh server per half, so each half's peak RSS is its own. */
async function startSignedIn(
  databaseFile: string,
  admin: Admin,
): Promise<{ server: RunningServer; cookie: string }> {
  const server = await startServer({
    entry: SERVER_ENTRY,
    cwd: PROJECT_ROOT,
    databaseFile,
    adminEmail: admin.email,
    adminPassword: admin.password,
    logLevel: LOG_LEVEL,
  });
  log(`Server ${server.pid} is healthy at ${server.baseUrl} (LOG_LEVEL=${LOG_LEVEL}).`);
  try {
    const session = await signIn(server.baseUrl, admin.email, admin.password);
    log(`Signed in as ${admin.email}; sending cookies ${session.names.join(", ")}.`);
    return { server, cookie: session.cookie };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function dashboardHalf(databaseFile: string, admin: Admin, servers: RunningServer[]) {
  const targets = pickTargets(databaseFile);
  log(
    `Targets: unit ${targets.unit.id} (${n(targets.unit.numbers)} numbers, last page ` +
      `${targets.unit.lastPage}); business ${targets.business.id} (${n(targets.business.numbers)} ` +
      `numbers); number ${targets.number.id} (${targets.number.e164}); call purpose ` +
      `${targets.purpose.id} "${targets.purpose.name}" (${n(targets.purpose.numbers)} numbers ` +
      `in the business); digits "${targets.digits.text}" (${n(targets.digits.matches)} matches).`,
  );
  const { server, cookie } = await startSignedIn(databaseFile, admin);
  servers.push(server);
  const floorServer = await startServer({
    entry: FLOOR_ENTRY,
    cwd: PROJECT_ROOT,
    databaseFile,
    adminEmail: admin.email,
    adminPassword: admin.password,
    logLevel: LOG_LEVEL,
  });
  servers.push(floorServer);
  log(`The floor, a bare Fastify app (${floorServer.pid}), is at ${floorServer.baseUrl}.`);
  const headers = { accept: BROWSER_ACCEPT, cookie };
  const portal = { baseUrl: server.baseUrl, headers };
  const floor = { baseUrl: floorServer.baseUrl, headers: {} };
  const list = targetList(targets);
  const warnings = await preflight(server.baseUrl, list, headers);
  for (const warning of warnings) console.error(`WARNING: ${warning}`);
  const measurements: Measurement[] = [];
  for (const target of list) {
    const m = await measure(portal, floor, target, SETTINGS);
    measurements.push(m);
    log(
      `  ${target.name.padEnd(28)} ${n(Math.round(m.requestsPerSecond)).padStart(7)} req/s  ` +
        `${m.shareOfFloor.toFixed(3)}× floor (spread ${(m.spread * 100).toFixed(0)} %)  ` +
        `p99 ${m.p99} ms  ${m.problems.length ? `INVALID: ${m.problems.join(", ")}` : ""}`,
    );
  }
  await floorServer.stop();
  const peakRssBytes = server.peakRssBytes();
  await server.stop();
  const verdict = judge(measurements, peakRssBytes);
  log("");
  log(
    `${n(BENCH_NUMBERS)} numbers, ${SETTINGS.connections} connections, ` +
      `${SETTINGS.warmupSeconds} s warm-up, then ${SETTINGS.rounds} rounds of ${SETTINGS.seconds} s ` +
      "for the floor and the target in turn, " +
      `node ${process.version}, ${availableParallelism()} CPUs:`,
  );
  log("");
  log(formatVerdict(verdict));
  return {
    settings: { ...SETTINGS, logLevel: LOG_LEVEL, host: "127.0.0.1" },
    goals: GOALS,
    targets,
    warnings,
    results: verdict.rows,
    peakRssBytes,
    peakRssMiB: verdict.peakRssMiB,
    peakRssPass: verdict.rssPass,
    pass: verdict.pass,
    steady: verdict.steady,
    valid: verdict.rows.every((row) => row.problems.length === 0),
  };
}

async function main(): Promise<number> {
  const started = performance.now();
  const halves = halvesFromArgs(process.argv.slice(2));
  const temp = mkdtempSync(join(tmpdir(), "numberdesk-bench-"));
  // Runs on every way out (errors, Ctrl-C, the watchdog), where nothing can be awaited.
  process.once("exit", () => {
    killAllNow();
    rmSync(temp, { recursive: true, force: true });
  });
  const servers: RunningServer[] = [];
  try {
    const databaseFile = join(temp, "bench.db");
    const database = await prepareDatabase(databaseFile, CACHE_FILE, log);
    const admin = {
      email: "bench@numberdesk.invalid",
      password: randomBytes(18).toString("base64url"),
    };
    // Other work on the machine (tests, builds) takes CPU from the server and from autocannon.
    const loadBefore = loadavg()[0] ?? 0;
    // The dashboard half first: the bulk half changes the database (its numbers move).
    const dashboard = halves.has("dashboard")
      ? await dashboardHalf(databaseFile, admin, servers)
      : null;
    if (dashboard && halves.has("bulk")) log("");
    const bulk = halves.has("bulk")
      ? await bulkHalf(databaseFile, temp, servers, () => startSignedIn(databaseFile, admin), log)
      : null;
    // The list before the bulk half would be fairer to it, but the bulk half wants a fresh
    // database's numbers; the list half reads none of the numbers it sends.
    const list = halves.has("list")
      ? await entryListHalf(databaseFile, servers, () => startSignedIn(databaseFile, admin), log)
      : null;
    const loadAfter = loadavg()[0] ?? 0;
    const cpuCount = availableParallelism();
    // Taken while the server idled, so it is other work; the load after includes the bench's.
    if (loadBefore >= 1) {
      log(
        `\nNote: the machine was busy (1-minute load ${loadBefore.toFixed(1)} before, ` +
          `${loadAfter.toFixed(1)} after, on ${cpuCount} CPUs): expect noisy numbers.`,
      );
    }

    const valid = (dashboard?.valid ?? true) && (bulk?.valid ?? true) && (list?.valid ?? true);
    const results = {
      date: new Date().toISOString(),
      only: halves.size === 1 ? [...halves][0] : null,
      node: process.version,
      nproc: cpuCount,
      loadAverage1m: { before: loadBefore, after: loadAfter },
      cpu: cpus()[0]?.model ?? null,
      database: { numbers: BENCH_NUMBERS, ...database },
      // The dashboard half's fields stay where they were before the bulk half existed.
      ...(dashboard ?? {}),
      bulk,
      list,
      pass: (dashboard?.pass ?? true) && (bulk?.pass ?? true) && (list?.pass ?? true),
      valid,
      benchSeconds: (performance.now() - started) / 1000,
    };
    await mkdir(join(PROJECT_ROOT, "bench"), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    log(
      `\nWrote ${relative(process.cwd(), RESULTS_FILE)} (bench took ${results.benchSeconds.toFixed(0)} s).`,
    );

    if (!valid) {
      console.error(
        "\nBENCH INVALID: some targets or uploads answered other than expected or failed (see " +
          "INVALID above); their numbers do not measure the portal.",
      );
      return 1;
    }
    return 0;
  } finally {
    for (const server of servers) await server.stop();
    rmSync(temp, { recursive: true, force: true });
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\nBench stopped by ${signal}.`);
    process.exit(130);
  });
}
setTimeout(() => {
  console.error(`Bench still running after ${WATCHDOG_MS / 60_000} minutes; stopping it.`);
  process.exit(1);
}, WATCHDOG_MS).unref();

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Bench could not run: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && error.stack) console.error(error.stack);
    process.exit(1);
  },
);
