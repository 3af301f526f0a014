/**
 * The bulk half of `npm run bench` (issue 5). The floor first (in this process, on a copy,
 * before the server starts); then, on a fresh server, four uploads of the same 100,000
 * numbers, each checked on its job page:
 *
 * 1. deleted at their business, alone: timed against the floor (parse + raw delete);
 * 2. added back at the business's largest unit, alone: timed against parse + raw insert;
 * 3. deleted again at the business while autocannon loads the unit's dashboard;
 * 4. added back again at the unit under the same load.
 *
 * The floor is measured on an otherwise idle machine, so the runs compared with it run alone
 * too; the loaded runs measure what the issue asks of them: the dashboard's p99 while an
 * upload runs, and the server's peak memory.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import {
  BULK_CONNECTIONS,
  BULK_GOALS,
  countPresent,
  csvOf,
  measureFloor,
  pickBulkPlan,
} from "./bulk.js";
import { formatBulkVerdict, judgeBulk } from "./bulk-report.js";
import { timeUpload, type UploadRun, type UploadSpec } from "./bulk-upload.js";
import { BENCH_NUMBERS } from "./dataset.js";
import type { RunningServer } from "./server.js";

const n = (value: number) => value.toLocaleString("en-US");

export async function bulkHalf(
  databaseUrl: string,
  temp: string,
  servers: RunningServer[],
  startSignedIn: () => Promise<{ server: RunningServer; cookie: string }>,
  log: (line: string) => void,
) {
  const plan = await pickBulkPlan(databaseUrl);
  const dashboardPath = `/units/${plan.unit.id}/numbers`;
  log(
    `Bulk: delete ${n(plan.numbers.length)} numbers of business ${plan.business.id} ` +
      `(${n(plan.business.numbers)} numbers), then add them back at its unit ${plan.unit.id} ` +
      `(${n(plan.unit.numbers)} numbers) as "${plan.purpose.name}" (call purpose ` +
      `${plan.purpose.id}); alone, then again while ${dashboardPath} is loaded.`,
  );
  const floor = await measureFloor(databaseUrl, join(temp, "floor.db"), plan);
  log(
    `Floor: parse ${floor.parseSeconds.toFixed(2)} s (${n(floor.validLines)} valid), raw delete ` +
      `${floor.deleteSeconds.toFixed(2)} s, raw insert ${floor.insertSeconds.toFixed(2)} s.`,
  );
  if (floor.validLines !== plan.numbers.length) {
    throw new Error(
      `Only ${n(floor.validLines)} of the ${n(plan.numbers.length)} numbers are valid for ` +
        "libphonenumber-js/max: the add run would not measure 100,000 additions.",
    );
  }
  const { server, cookie } = await startSignedIn();
  servers.push(server);
  const csv = csvOf(plan.numbers);
  const deletion = (name: string, load: boolean): UploadSpec => ({
    name: `Delete ${n(plan.numbers.length)} (business, ${name})`,
    kind: "delete",
    levelPath: `/businesses/${plan.business.id}`,
    fields: { confirm: "yes" },
    csv,
    dashboardPath: load ? dashboardPath : null,
    expected: plan.numbers.length,
  });
  const addition = (name: string, load: boolean): UploadSpec => ({
    name: `Add ${n(plan.numbers.length)} (unit, ${name})`,
    kind: "add",
    levelPath: `/units/${plan.unit.id}`,
    fields: { call_purpose: String(plan.purpose.id) },
    csv,
    dashboardPath: load ? dashboardPath : null,
    expected: plan.numbers.length,
  });
  const runs: UploadRun[] = [];
  for (const load of [false, true]) {
    const name = load ? "dashboard loaded" : "alone";
    const deleted = await timeUpload(server.baseUrl, cookie, server.pid, deletion(name, load));
    runs.push(deleted);
    log(
      `  ${deleted.name}: ${deleted.seconds.toFixed(2)} s, ${deleted.status} → ${deleted.location}`,
    );
    // Added back only if really gone: else the add run would measure rejections.
    const stillThere = await countPresent(databaseUrl, plan.numbers);
    if (stillThere > 0) {
      deleted.problems.push(`${n(stillThere)} of its numbers are still in the database after it`);
      break;
    }
    const added = await timeUpload(server.baseUrl, cookie, server.pid, addition(name, load));
    runs.push(added);
    log(`  ${added.name}: ${added.seconds.toFixed(2)} s, ${added.status} → ${added.location}`);
  }
  const peakRssBytes = server.peakRssBytes();
  await server.stop();
  const verdict = judgeBulk(runs, floor, peakRssBytes);
  log("");
  log(
    `${n(plan.numbers.length)}-number uploads over ${n(BENCH_NUMBERS)} numbers, dashboard at ` +
      `${BULK_CONNECTIONS} connections during the loaded runs, node ${process.version}, ` +
      `${availableParallelism()} CPUs:`,
  );
  log("");
  log(formatBulkVerdict(verdict, floor));
  return {
    goals: BULK_GOALS,
    connections: BULK_CONNECTIONS,
    plan: {
      business: plan.business,
      unit: plan.unit,
      purpose: plan.purpose,
      numbers: plan.numbers.length,
      first: plan.numbers[0],
      last: plan.numbers.at(-1),
    },
    floor,
    runs: verdict.rows,
    peakRssBytes,
    peakRssMiB: verdict.peakRssMiB,
    peakRssPass: verdict.rssPass,
    pass: verdict.pass,
    valid: verdict.valid,
  };
}
