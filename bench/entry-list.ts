/**
 * The list half of `npm run bench` (issue 12): the Manual tab's list re-rendered by the server
 * at 1,000 entries, the most it shows entry by entry. Each request is what Add to Delete List
 * sends with htmx: the whole list (1,000 `numbers` fields, a tenth of them repeats or junk, so
 * every kind of verdict is drawn) and answers the list fragment. Timed one at a time, from
 * request to the last byte, after a few unmeasured ones; the goal is the issue's 50 ms.
 */
import { csrfTokenOf } from "./bulk-upload.js";
import { pickTargets } from "./dataset.js";
import type { RunningServer } from "./server.js";
import { BROWSER_ACCEPT } from "./session.js";

const LIST_GOALS = { entries: 1_000, maxMedianMs: 50 };
const WARM_UP = 5;
const MEASURED = 40;

/** 1,000 entries as a person's list might hold them: mostly numbers, some repeats and junk. */
function entries(): string[] {
  return Array.from({ length: LIST_GOALS.entries }, (_, i) => {
    if (i % 20 === 7) return "1-800-FLOWERS";
    if (i % 20 === 13) return `(213) 555-${String(1000 + i - 6).padStart(4, "0")}`;
    return `(213) 555-${String(1000 + i).padStart(4, "0")}`;
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function entryListHalf(
  databaseUrl: string,
  servers: RunningServer[],
  startSignedIn: () => Promise<{ server: RunningServer; cookie: string }>,
  log: (line: string) => void,
) {
  const { unit } = await pickTargets(databaseUrl);
  const { server, cookie } = await startSignedIn();
  servers.push(server);
  const path = `/units/${unit.id}/numbers/delete`;
  const csrf = await csrfTokenOf(server.baseUrl, path, cookie);
  const body = new URLSearchParams([["_csrf", csrf], ...entries().map((e) => ["numbers", e])]);
  const problems: string[] = [];
  const times: number[] = [];
  for (let i = 0; i < WARM_UP + MEASURED; i++) {
    const started = performance.now();
    const response = await fetch(`${server.baseUrl}${path}/list`, {
      method: "POST",
      headers: {
        accept: BROWSER_ACCEPT,
        cookie,
        "hx-request": "true",
        "content-type": "application/x-www-form-urlencoded",
      },
      body,
    });
    const html = await response.text();
    const elapsed = performance.now() - started;
    if (response.status !== 200 || !html.includes('id="entry-list-region"')) {
      problems.push(
        `answered ${response.status}${html.includes("entry-list") ? "" : " without the list"}`,
      );
      break;
    }
    if (i >= WARM_UP) times.push(elapsed);
  }
  await server.stop();
  const sorted = [...times].sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  const valid = problems.length === 0;
  const pass = valid && median <= LIST_GOALS.maxMedianMs;
  log(
    `\nThe Manual tab's list, ${LIST_GOALS.entries.toLocaleString("en-US")} entries re-rendered ` +
      `(${MEASURED} requests, one at a time): median ${median.toFixed(1)} ms, p99 ` +
      `${p99.toFixed(1)} ms, goal median ≤ ${LIST_GOALS.maxMedianMs} ms: ` +
      `${valid ? (pass ? "PASS" : "FAIL") : `INVALID (${problems.join(", ")})`}`,
  );
  return {
    goals: LIST_GOALS,
    requests: MEASURED,
    medianMs: median,
    p99Ms: p99,
    problems,
    pass,
    valid,
  };
}
