/**
 * The bulk half of `npm run bench` (issue 5): a 100,000-number upload deleted at a business and
 * the same numbers added back at a unit, each timed end to end against the running server and
 * compared with a floor measured in this process: parsing the lines with parsePhoneInput plus
 * the raw better-sqlite3 delete (or insert) of the rows in one transaction.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { copyFile, rm } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import SqliteDatabase from "better-sqlite3";
import { createDb } from "../db/database.js";
import { parsePhoneInput } from "../domain/phone-input.js";
import { BROWSER_ACCEPT } from "./session.js";

/** An upload holds at most MAX_ENTRIES (100,000) numbers: the bench sends a full one. */
export const BULK_NUMBERS = 100_000;

/** The issue's targets for one 100,000-number upload. */
export const BULK_GOALS = {
  /** A run may take at most this multiple of its floor. */
  maxShareOfFloor: 1.5,
  /** …and at most this many seconds, end to end. */
  maxSeconds: 3,
  /** The unit dashboard's p99 latency while an upload runs, in ms (10 connections). */
  maxDashboardP99Ms: 200,
  /** Peak resident memory of the server, in MiB. */
  maxPeakRssMiB: 400,
};

export const BULK_CONNECTIONS = 10;
/** Dashboard load before the upload is sent, so its connections are open and warm. */
export const LEAD_IN_MS = 1_000;

export interface BulkPlan {
  /** Where the numbers are deleted: the business with the most numbers. */
  business: { id: number; numbers: number };
  /** Where they are added back (its dashboard is loaded during both uploads). */
  unit: { id: number; numbers: number };
  purpose: { id: number; name: string };
  /** The business's first 100,000 numbers by id, E.164. */
  numbers: string[];
}

/**
 * Delete is per level, so the 100,000 numbers are one business's (the one with the most, as
 * no unit holds that many); they are then added back at that business's largest unit, which
 * makes them new, valid numbers known not to be in the database once the delete has run.
 */
export function pickBulkPlan(file: string): BulkPlan {
  const handle = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const business = handle
      .prepare(
        `select business_id as id, count(*) as numbers from phone_numbers
         group by business_id order by count(*) desc, business_id limit 1`,
      )
      .get() as { id: number; numbers: number } | undefined;
    if (!business || business.numbers < BULK_NUMBERS) {
      throw new Error(
        `No business has ${BULK_NUMBERS.toLocaleString("en-US")} numbers to delete ` +
          `(the largest has ${(business?.numbers ?? 0).toLocaleString("en-US")}).`,
      );
    }
    const unit = handle
      .prepare(
        `select business_unit_id as id, count(*) as numbers from phone_numbers
         where business_id = ? and business_unit_id is not null
         group by business_unit_id order by count(*) desc, business_unit_id limit 1`,
      )
      .get(business.id) as { id: number; numbers: number } | undefined;
    if (!unit) throw new Error(`Business ${business.id} has no units with numbers.`);
    const purpose = handle
      .prepare("select id, name from call_purposes where retired_at is null order by id limit 1")
      .get() as { id: number; name: string } | undefined;
    if (!purpose) throw new Error("The bench database has no active call purpose.");
    const numbers = handle
      .prepare("select e164 from phone_numbers where business_id = ? order by id limit ?")
      .pluck()
      .all(business.id, BULK_NUMBERS) as string[];
    return { business, unit, purpose, numbers };
  } finally {
    handle.close();
  }
}

/** The upload file: the header the Upload tab documents, then one number a line. */
export const csvOf = (numbers: string[]): string => `phone_number\n${numbers.join("\n")}\n`;

/** How many of `numbers` the database at `file` holds (read beside the running server). */
export function countPresent(file: string, numbers: string[]): number {
  const handle = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const exists = handle.prepare("select 1 from phone_numbers where e164 = ?").pluck();
    let present = 0;
    for (const e164 of numbers) if (exists.get(e164) !== undefined) present++;
    return present;
  } finally {
    handle.close();
  }
}

export interface Floor {
  /** parsePhoneInput over the file's lines, best of 3 passes. */
  parseSeconds: number;
  /** The raw delete of the rows in one transaction (prepared statement). */
  deleteSeconds: number;
  /** The raw insert of the same rows at the unit, in one transaction. */
  insertSeconds: number;
  /** Lines libphonenumber-js/max found valid; all of them, or the plan is wrong. */
  validLines: number;
}

const since = (start: number) => (performance.now() - start) / 1000;

/**
 * The least any implementation could take: the parse every upload needs and the bare row
 * changes, with no job, outcomes or audit events. Measured on a copy of the database, opened
 * with the portal's own pragmas (WAL, synchronous = FULL, foreign keys), before the server
 * starts so that neither competes with the other for the CPU.
 */
export async function measureFloor(
  databaseFile: string,
  copy: string,
  plan: BulkPlan,
): Promise<Floor> {
  const lines = csvOf(plan.numbers).split("\n").slice(1, -1);
  let parseSeconds = Number.POSITIVE_INFINITY;
  let validLines = 0;
  for (let pass = 0; pass < 3; pass++) {
    const start = performance.now();
    let valid = 0;
    for (const line of lines) if (parsePhoneInput(line, null).ok) valid++;
    parseSeconds = Math.min(parseSeconds, since(start));
    validLines = valid;
  }

  await copyFile(databaseFile, copy);
  const database = createDb(copy);
  try {
    const handle = database.handle;
    const remove = handle.prepare("delete from phone_numbers where e164 = ?");
    const insert = handle.prepare(
      `insert into phone_numbers
         (e164, business_id, business_unit_id, program_id, call_purpose_id, created_at, updated_at)
       values (?, ?, ?, null, ?, ?, ?)`,
    );
    let start = performance.now();
    const removed = handle.transaction(() => {
      let changes = 0;
      for (const e164 of plan.numbers) changes += remove.run(e164).changes;
      return changes;
    })();
    const deleteSeconds = since(start);
    const now = new Date().toISOString();
    start = performance.now();
    handle.transaction(() => {
      for (const e164 of plan.numbers) {
        insert.run(e164, plan.business.id, plan.unit.id, plan.purpose.id, now, now);
      }
    })();
    const insertSeconds = since(start);
    if (removed !== plan.numbers.length) {
      throw new Error(`The floor's delete removed ${removed} rows, not ${plan.numbers.length}.`);
    }
    return { parseSeconds, deleteSeconds, insertSeconds, validLines };
  } finally {
    await database.close();
    for (const suffix of ["", "-wal", "-shm"]) await rm(`${copy}${suffix}`, { force: true });
  }
}

/** A multipart/form-data body as a browser sends the Upload tab's form: fields, then the file. */
export function multipartBody(
  fields: Record<string, string>,
  file: { field: string; name: string; type: string; content: string },
): { body: Blob; contentType: string } {
  const boundary = `----NumberdeskBench${randomBytes(12).toString("hex")}`;
  const parts: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    );
  }
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; ` +
      `filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
  );
  // Built whole before the clock starts: a Blob of strings is sent as their UTF-8 bytes.
  const body = new Blob([parts.join(""), file.content, `\r\n--${boundary}--\r\n`]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The signed-in page's CSRF token, as the Upload tab's form would post it. */
export async function csrfTokenOf(baseUrl: string, path: string, cookie: string): Promise<string> {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { accept: BROWSER_ACCEPT, cookie },
    redirect: "manual",
  });
  const html = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}, not 200.`);
  const token = /<meta name="csrf-token" content="([^"]*)"/.exec(html)?.[1];
  if (!token) throw new Error(`GET ${path} has no <meta name="csrf-token">.`);
  return unescapeHtml(token);
}

/** Resident memory of a process now, in bytes, or null without /proc. */
function rssOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

export interface UploadRun {
  name: string;
  kind: "delete" | "add";
  path: string;
  uploadBytes: number;
  /** Request sent → 303 received: the job (the result page) exists then. */
  seconds: number;
  status: number;
  location: string | null;
  /** What the job page reports. */
  done: number | null;
  rejected: number | null;
  /** Dashboard requests that completed while the upload ran, and their latency in ms. */
  dashboard: {
    path: string;
    requests: number;
    p50: number | null;
    p99: number | null;
    max: number | null;
    /** p99 of the lead-in before the upload was sent, for comparison. */
    p99Before: number | null;
    non200: number;
    errors: number;
  };
  /** Highest VmRSS of the server sampled every 20 ms while the upload ran. */
  peakRssBytes: number | null;
  problems: string[];
}

export interface UploadSpec {
  name: string;
  kind: "delete" | "add";
  /** The level's path, e.g. /businesses/2. */
  levelPath: string;
  fields: Record<string, string>;
  csv: string;
  dashboardPath: string;
  expected: number;
}

/**
 * Sends one upload while autocannon loads the unit dashboard and times it from the request
 * being sent to the 303 arriving (the run is finished and its job stored by then). Every
 * dashboard response is time-stamped, so the latency counted is that of the responses that
 * completed during the upload alone. autocannon shares this process's event loop with the
 * upload's fetch; the server does the work, so that costs at most a few milliseconds.
 */
export async function timeUpload(
  baseUrl: string,
  cookie: string,
  serverPid: number,
  spec: UploadSpec,
): Promise<UploadRun> {
  const path = `${spec.levelPath}/numbers/${spec.kind}`;
  const csrf = await csrfTokenOf(baseUrl, `${path}?tab=upload`, cookie);
  const { body, contentType } = multipartBody(
    { _csrf: csrf, ...spec.fields },
    { field: "file", name: `bench-${spec.kind}.csv`, type: "text/csv", content: spec.csv },
  );
  const problems: string[] = [];

  const responses: Array<{ at: number; status: number; ms: number }> = [];
  let instance: autocannon.Instance | undefined;
  const load = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: `${baseUrl}${spec.dashboardPath}`,
        connections: BULK_CONNECTIONS,
        // Stopped as soon as the upload is answered; this only bounds a hung one.
        duration: 120,
        timeout: 10,
        headers: { accept: BROWSER_ACCEPT, cookie },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on("response", (_client, status, _bytes, ms) =>
      responses.push({ at: performance.now(), status, ms }),
    );
  });
  await new Promise((resolve) => setTimeout(resolve, LEAD_IN_MS));

  let peakRss: number | null = null;
  const sample = () => {
    const rss = rssOf(serverPid);
    if (rss !== null) peakRss = Math.max(peakRss ?? 0, rss);
  };
  const sampler = setInterval(sample, 20);
  sample();
  const sent = performance.now();
  let status = 0;
  let location: string | null = null;
  let answered = sent;
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: { accept: BROWSER_ACCEPT, cookie, "content-type": contentType },
      body,
      redirect: "manual",
    });
    answered = performance.now();
    status = response.status;
    location = response.headers.get("location");
    const text = await response.text();
    if (status !== 303 || !location?.startsWith("/jobs/")) {
      const error = /class="field-error"[^>]*>([^<]*)/.exec(text)?.[1]?.trim();
      problems.push(
        `answered ${status}${location ? ` → ${location}` : ""}${error ? ` (${error})` : ""}`,
      );
    }
  } catch (error) {
    answered = performance.now();
    problems.push(`failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    sample();
    clearInterval(sampler);
    instance?.stop();
  }
  const result = await load;

  const during = responses.filter((r) => r.at >= sent && r.at <= answered);
  const before = responses.filter((r) => r.at < sent);
  const sortedMs = (list: typeof responses) => list.map((r) => r.ms).sort((a, b) => a - b);
  const latencies = sortedMs(during);
  const non200 = responses.filter((r) => r.status !== 200).length;
  if (non200 > 0) problems.push(`the dashboard answered ${non200} requests with other than 200`);
  if (result.errors > 0 || result.timeouts > 0) {
    problems.push(`the dashboard load had ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  if (during.length === 0) problems.push("no dashboard request completed during the upload");

  let done: number | null = null;
  let rejected: number | null = null;
  if (location?.startsWith("/jobs/")) {
    const page = await fetch(`${baseUrl}${location}`, {
      headers: { accept: BROWSER_ACCEPT, cookie },
      redirect: "manual",
    });
    const html = await page.text();
    const count = (label: string) => {
      const match = new RegExp(`${label} \\(([\\d,]+)\\)`).exec(html)?.[1];
      return match === undefined ? null : Number(match.replace(/,/g, ""));
    };
    done = count(spec.kind === "delete" ? "Removed Numbers" : "Added Numbers");
    rejected = count("Rejected Numbers");
    if (page.status !== 200) problems.push(`the job page answered ${page.status}`);
    if (done !== spec.expected || rejected !== 0) {
      problems.push(
        `the job page reports ${done ?? "?"} ${spec.kind === "delete" ? "removed" : "added"} ` +
          `and ${rejected ?? "?"} rejected, not ${spec.expected.toLocaleString("en-US")} and 0`,
      );
    }
  }

  return {
    name: spec.name,
    kind: spec.kind,
    path,
    uploadBytes: body.size,
    seconds: (answered - sent) / 1000,
    status,
    location,
    done,
    rejected,
    dashboard: {
      path: spec.dashboardPath,
      requests: during.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? null,
      p99Before: percentile(sortedMs(before), 99),
      non200,
      errors: result.errors + result.timeouts,
    },
    peakRssBytes: peakRss,
    problems,
  };
}
