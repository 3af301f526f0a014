/**
 * One timed upload of the bench's bulk half (bench/bulk-half.ts): sent as the Upload tab's
 * form would send it, timed from request to 303, optionally while autocannon loads a dashboard
 * (whose latency during the upload is recorded), with the server's RSS sampled meanwhile.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { BULK_CONNECTIONS, LEAD_IN_MS } from "./bulk.js";
import { BROWSER_ACCEPT, unescapeHtml } from "./session.js";

/** A multipart/form-data body as a browser sends the Upload tab's form: fields, then the file. */
function multipartBody(
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

/** Between opening the Upload tab and sending the file (see timeUpload). */
const CHOOSING_FILE_MS = 1_000;

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
  /**
   * Dashboard requests that completed while the upload ran, and their latency in ms; null
   * for an upload timed alone.
   */
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
  } | null;
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
  /** The dashboard autocannon loads while the upload runs; null: the upload runs alone. */
  dashboardPath: string | null;
  expected: number;
}

/**
 * Sends one upload, alone or while autocannon loads a dashboard, and times it from the request
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
  // Opening the Upload tab starts the upload worker; a person then takes a moment to choose
  // the file. Posting within milliseconds of opening it would time the worker's start too.
  const csrf = await csrfTokenOf(baseUrl, `${path}?tab=upload`, cookie);
  await new Promise((resolve) => setTimeout(resolve, CHOOSING_FILE_MS));
  const { body, contentType } = multipartBody(
    { _csrf: csrf, ...spec.fields },
    { field: "file", name: `bench-${spec.kind}.csv`, type: "text/csv", content: spec.csv },
  );
  const problems: string[] = [];

  const responses: Array<{ at: number; status: number; ms: number }> = [];
  let instance: autocannon.Instance | undefined;
  const dashboardPath = spec.dashboardPath;
  const load =
    dashboardPath === null
      ? null
      : new Promise<autocannon.Result>((resolve, reject) => {
          instance = autocannon(
            {
              url: `${baseUrl}${dashboardPath}`,
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
  if (load) await new Promise((resolve) => setTimeout(resolve, LEAD_IN_MS));

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
  const result = load ? await load : null;

  let dashboard: UploadRun["dashboard"] = null;
  if (result && dashboardPath !== null) {
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
    dashboard = {
      path: dashboardPath,
      requests: during.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? null,
      p99Before: percentile(sortedMs(before), 99),
      non200,
      errors: result.errors + result.timeouts,
    };
  }

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
    dashboard,
    peakRssBytes: peakRss,
    problems,
  };
}
