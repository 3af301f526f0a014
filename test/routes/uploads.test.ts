import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import t, { type Test } from "tap";
import type { Database } from "../../src/db/database.js";
import type { Agent } from "../helpers/agent.js";
import { HX } from "../helpers/app.js";
import { callPurposeId } from "../helpers/fixtures.js";
import { buildRunGround, jobIdOf } from "../helpers/tenants.js";
import { userAgent } from "../helpers/users.js";

const HTML = { accept: "text/html" };
const MiB = 1024 * 1024;

/**
 * A multipart/form-data body as a browser sends it: the fields, then the file (if any). Built
 * by hand so the tests control every byte (BOM, CRLF, binary, sizes).
 */
function multipart(
  fields: Record<string, string>,
  file?: { content: string | Buffer; filename?: string; type?: string },
  headers: Record<string, string> = {},
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----numberdesk${randomBytes(8).toString("hex")}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename ?? "numbers.csv"}"\r\nContent-Type: ${file.type ?? "text/csv"}\r\n\r\n`,
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content, "utf8"),
      Buffer.from("\r\n"),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}`, ...headers },
  };
}

/** Valid, distinct Los Angeles numbers nobody has, in E.164. */
/**
 * Holds up the next run that needs `e164` until the returned function is called. SQLite: by
 * taking the writer lock. PostgreSQL: by locking the number's row in another transaction.
 */
async function holdUp(database: Database, e164: string): Promise<() => Promise<void>> {
  if (database.kind === "sqlite") {
    await database.writerLock.acquire();
    let released = false;
    return async () => {
      if (!released) database.writerLock.release();
      released = true;
    };
  }
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked = () => {};
  const lockTaken = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const holding = database.db.transaction().execute(async (trx) => {
    await sql`select id from phone_numbers where e164 = ${e164} for update`.execute(trx);
    locked();
    await released;
  });
  await lockTaken;
  return async () => {
    release();
    await holding;
  };
}

const freshNumbers = (count: number, from = 3_000_000) =>
  Array.from({ length: count }, (_, i) => `+1213${from + i}`);

async function setup(t: Test) {
  const ground = await buildRunGround(t);
  const { db } = ground.database;
  /** Everything a run writes: numbers, jobs and their outcomes, audit events. */
  const snapshot = async () => ({
    numbers: await db.selectFrom("phone_numbers").selectAll().orderBy("id").execute(),
    jobs: (await db.selectFrom("jobs").select("id").execute()).length,
    outcomes:
      (await db.selectFrom("job_outcomes").select("job_id").execute()).length +
      (await db.selectFrom("job_successes").select("entries").execute()).reduce(
        (sum, pack) => sum + JSON.parse(pack.entries).length,
        0,
      ),
    audit: (await db.selectFrom("audit_events").select("id").execute()).length,
  });
  return { ...ground, db, snapshot };
}

/** Posts an upload as the given agent; `confirm=yes` for deletes unless told otherwise. */
function upload(
  agent: Agent,
  url: string,
  content: string | Buffer,
  fields: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const confirm: Record<string, string> = url.endsWith("/delete") ? { confirm: "yes" } : {};
  return agent.inject({
    method: "POST",
    url,
    ...multipart({ _csrf: agent.csrfToken, ...confirm, ...fields }, { content }, headers),
  });
}

t.test("the Upload tab: a page of its own, a form that posts multipart", async (t) => {
  const { editor, acme } = await setup(t);
  for (const url of [
    `/units/${acme.unitId}/numbers/delete`,
    `/programs/${acme.programId}/numbers/add`,
  ]) {
    const manual = await editor.inject({ url, headers: HTML });
    t.match(manual.body, new RegExp(`<a href="${url}\\?tab=upload" class="tab">Upload</a>`));
    const page = await editor.inject({ url: `${url}?tab=upload`, headers: HTML });
    t.equal(page.statusCode, 200);
    t.match(page.body, /aria-current="page" class="tab tab-active">Upload</);
    t.match(page.body, new RegExp(`<a href="${url}" class="tab">Manual</a>`));
    t.match(page.body, /enctype="multipart\/form-data"/);
    t.match(page.body, /hx-encoding="multipart\/form-data"/);
    t.match(page.body, /<input type="file" id="field-file" name="file"/);
    t.match(page.body, /<progress max="100" value="0"/);
    t.match(page.body, /name="_csrf" value="[^"]+"/);
    t.match(page.body, /Up to 100,000 numbers and 8 MiB\./);
  }
  const del = await editor.inject({
    url: `/units/${acme.unitId}/numbers/delete?tab=upload`,
    headers: HTML,
  });
  t.match(del.body, /name="confirm" value="yes" required/, "deleting asks for the tick");
  t.match(del.body, /Delete the numbers in this file from ACME Corp › Billing/);
  const add = await editor.inject({ url: `/programs/${acme.programId}/numbers/add?tab=upload` });
  t.match(add.body, /<option value="\d+" selected>Customer Service</, "the program's purpose");
});

t.test(
  "delete upload: header, BOM, CRLF, quotes, blank lines; counts and the file's lines",
  async (t) => {
    const { editor, db, acme, snapshot, outcomes } = await setup(t);
    const url = `/units/${acme.unitId}/numbers/delete`;
    const file = [
      "\uFEFFphone_number,call_purpose", // 1
      "", // 2
      '"(213) 373-4253",', // 3: removed (in the unit's program)
      "+1 213 373 4253", // 4: the same number again, another format
      "", // 5
      '"213.373.4254","Survey"', // 6: at unit level, but its purpose is Customer Service
      "'+13107284411", // 7: as older CSV exports wrote it; at business level: outside the unit
      "+1 213 373 9999", // 8: Globex's: not found
      "1-800-FLOWERS", // 9: letters
      "", // 10
      "", // 11
    ].join("\r\n");
    const before = await snapshot();
    const run = await upload(editor, url, file);
    t.equal(run.statusCode, 303, run.body);
    const jobId = jobIdOf(run.headers.location);
    t.same(
      (await outcomes(jobId)).map((o) => [o.line, o.input, o.outcome, o.code]),
      [
        [3, "(213) 373-4253", "removed", null],
        [4, "+1 213 373 4253", "rejected", "DUPLICATE_IN_LIST"],
        [6, "213.373.4254", "rejected", "CALL_PURPOSE_MISMATCH"],
        [7, "'+13107284411", "rejected", "OUTSIDE_LEVEL"],
        [8, "+1 213 373 9999", "rejected", "NOT_FOUND"],
        [9, "1-800-FLOWERS", "rejected", "INVALID_FORMAT"],
      ],
    );
    const rows = await outcomes(jobId);
    t.equal(rows[1]?.message, "The same number as entry 3.", "the duplicate names the line");
    t.equal(rows[2]?.message, "It is Customer Service, not Survey.");
    const job = await db
      .selectFrom("jobs")
      .selectAll()
      .where("id", "=", jobId)
      .executeTakeFirstOrThrow();
    t.same([job.source, job.total, job.succeeded, job.rejected], ["upload", 6, 1, 5]);
    const after = await snapshot();
    t.equal(after.numbers.length, before.numbers.length - 1, "one number removed");
    t.notOk(after.numbers.some((n) => n.e164 === "+12133734253"));

    const result = await editor.inject({ url: `/jobs/${jobId}` });
    t.match(result.body, /Removed Numbers \(1\)/);
    t.match(result.body, /Rejected Numbers \(5\)/);
  },
);

t.test(
  "delete upload: the same number twice in two formats → one removed, one duplicate",
  async (t) => {
    const { editor, acme, snapshot, outcomes } = await setup(t);
    const before = await snapshot();
    const run = await upload(
      editor,
      `/businesses/${acme.businessId}/numbers/delete`,
      "213.373.4254\n+1 (213) 373-4254\n",
    );
    t.equal(run.statusCode, 303);
    t.same(
      (await outcomes(jobIdOf(run.headers.location))).map((o) => [o.line, o.outcome, o.code]),
      [
        [1, "removed", null],
        [2, "rejected", "DUPLICATE_IN_LIST"],
      ],
    );
    t.equal((await snapshot()).numbers.length, before.numbers.length - 1);
  },
);

t.test(
  "re-running the same delete upload: everything NOT_FOUND, nothing else changes",
  async (t) => {
    const { editor, acme, snapshot, outcomes } = await setup(t);
    const url = `/businesses/${acme.businessId}/numbers/delete`;
    const file = "phone_number\r\n+12133734253\r\n+12133734254\r\n+13107284411\r\n";
    const first = await upload(editor, url, file);
    t.same(
      (await outcomes(jobIdOf(first.headers.location))).map((o) => o.outcome),
      ["removed", "removed", "removed"],
    );
    const between = await snapshot();
    const again = await upload(editor, url, file);
    t.equal(again.statusCode, 303);
    t.same(
      (await outcomes(jobIdOf(again.headers.location))).map((o) => [o.line, o.outcome, o.code]),
      [
        [2, "rejected", "NOT_FOUND"],
        [3, "rejected", "NOT_FOUND"],
        [4, "rejected", "NOT_FOUND"],
      ],
    );
    const after = await snapshot();
    t.same(after.numbers, between.numbers, "no number changed");
    t.equal(after.jobs, between.jobs + 1, "only the new job and its outcomes were written");
    t.equal(after.outcomes, between.outcomes + 3);
    t.equal(after.audit, between.audit + 1, "one audit event: the run itself");
  },
);

t.test("size and count limits: 413 and 422, nothing written", async (t) => {
  const { editor, acme, snapshot } = await setup(t);
  const url = `/businesses/${acme.businessId}/numbers/delete`;
  const before = await snapshot();

  // 8 MiB + 1 byte of plausible CSV: refused while it arrives, the handler never runs.
  const line = "+12133734253\r\n";
  const big = Buffer.alloc(8 * MiB + 1, line);
  const tooBig = await upload(editor, url, big, {}, HTML);
  t.equal(tooBig.statusCode, 413);
  t.match(
    tooBig.body,
    /The file is larger than 8 MiB, the most the portal takes\. Nothing was changed/,
  );
  t.match(tooBig.body, /aria-current="page" class="tab tab-active">Upload</, "on the upload form");
  t.same(await snapshot(), before, "nothing written");

  // Exactly 8 MiB is within the size limit: it is read, and then has too many numbers.
  const atLimit = await upload(editor, url, Buffer.alloc(8 * MiB, line));
  t.equal(atLimit.statusCode, 422);
  t.match(atLimit.body, /A file may hold at most 100,000 numbers; this one has 599,187\./);

  const many = freshNumbers(100_001).join("\n");
  const tooMany = await upload(editor, url, many);
  t.equal(tooMany.statusCode, 422);
  t.match(
    tooMany.body,
    /A file may hold at most 100,000 numbers; this one has 100,001\. Nothing was changed: split it into smaller files\./,
  );
  t.same(await snapshot(), before, "nothing written");

  // Through htmx, the 413 is the form alone (swapped in place by app.js) with the reason.
  const htmx = await upload(editor, url, big, {}, HX);
  t.equal(htmx.statusCode, 413);
  t.notMatch(htmx.body, /<html/);
  t.match(htmx.body, /<form [^>]*data-upload/);
  t.match(htmx.body, /The file is larger than 8 MiB/);

  const twoFiles = multipart(
    { _csrf: editor.csrfToken, confirm: "yes" },
    { content: "+12133734253" },
  );
  const second = Buffer.from(
    twoFiles.payload
      .toString("latin1")
      .replace(
        /--([^\r]+)--\r\n$/,
        (_, b) =>
          `--${b}\r\nContent-Disposition: form-data; name="file2"; filename="b.csv"\r\nContent-Type: text/csv\r\n\r\n+12133734254\r\n--${b}--\r\n`,
      ),
    "latin1",
  );
  const two = await editor.inject({
    method: "POST",
    url,
    payload: second,
    headers: twoFiles.headers,
  });
  t.equal(two.statusCode, 413);
  t.match(two.body, /Upload one file at a time\./);
  t.same(await snapshot(), before, "nothing written");
});

t.test("not a text file: zip or binary renamed .csv, invalid UTF-8 → 400", async (t) => {
  const { editor, acme, snapshot } = await setup(t);
  const url = `/businesses/${acme.businessId}/numbers/delete`;
  const before = await snapshot();
  const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), randomBytes(200)]);
  const zipped = await upload(editor, url, zip);
  t.equal(zipped.statusCode, 400);
  t.match(
    zipped.body,
    /This is a zip file, not a CSV or text file \(an Excel \.xlsx workbook is a zip file too\)\. Save it as CSV UTF-8/,
  );

  const binary = Buffer.concat([Buffer.from("+12133734253\n"), Buffer.from([0x00, 0xff, 0x10])]);
  const bin = await upload(editor, url, binary);
  t.equal(bin.statusCode, 400);
  t.match(bin.body, /This is not a text file: it holds binary data/);

  const latin1 = Buffer.from("+12133734253\n+12133734254 caf\xe9\n", "latin1");
  const notUtf8 = await upload(editor, url, latin1);
  t.equal(notUtf8.statusCode, 400);
  t.match(notUtf8.body, /not a text file in UTF-8: line 2 has characters in another encoding/);

  const htmx = await upload(editor, url, zip, {}, HX);
  t.equal(htmx.statusCode, 400);
  t.match(htmx.body, /<form [^>]*data-upload/, "htmx gets the form with the reason");
  t.same(await snapshot(), before, "nothing written");
});

t.test(
  "add upload: per-row call purposes, an unknown one rejected, the default for the rest",
  async (t) => {
    const { editor, db, acme, snapshot, outcomes } = await setup(t);
    const survey = await callPurposeId(db, "survey");
    const customerService = await callPurposeId(db, "customer_service");
    const file = [
      "phone_number,call_purpose",
      "+1 213 728 1001,survey", // by name, any case
      "+1 213 728 1002,", // none given: the form's choice
      "+1 213 728 1003,Bake Sale", // not in the catalog
      "2137281004,Customer Service",
      "(213) 728-1001,Survey", // again
      "+1 213 373 4253,Survey", // already here
    ].join("\n");
    const before = await snapshot();
    const run = await upload(editor, `/programs/${acme.programId}/numbers/add`, file, {
      call_purpose: String(survey),
    });
    t.equal(run.statusCode, 303, run.body);
    const rows = await outcomes(jobIdOf(run.headers.location));
    t.same(
      rows.map((o) => [o.line, o.outcome, o.code]),
      [
        [2, "added", null],
        [3, "added", null],
        [4, "rejected", "UNKNOWN_CALL_PURPOSE"],
        [5, "added", null],
        [6, "rejected", "DUPLICATE_IN_LIST"],
        [7, "rejected", "ALREADY_HERE"],
      ],
    );
    t.match(rows[2]?.message, /Bake Sale/);
    const added = await db
      .selectFrom("phone_numbers")
      .select(["e164", "call_purpose_id", "program_id"])
      .where("e164", "in", ["+12137281001", "+12137281002", "+12137281004"])
      .orderBy("e164")
      .execute();
    t.same(
      added.map((n) => [n.e164, n.call_purpose_id, n.program_id]),
      [
        ["+12137281001", survey, acme.programId],
        ["+12137281002", survey, acme.programId],
        ["+12137281004", customerService, acme.programId],
      ],
    );
    t.equal((await snapshot()).numbers.length, before.numbers.length + 3);

    // At business level a default purpose must be chosen, as on the Manual tab.
    const noPurpose = await upload(
      editor,
      `/businesses/${acme.businessId}/numbers/add`,
      "2137281005",
    );
    t.equal(noPurpose.statusCode, 422);
    t.match(noPurpose.body, /id="error-call_purpose">Choose a call purpose from the list\./);
    t.equal((await snapshot()).numbers.length, before.numbers.length + 3);
  },
);

t.test(
  "htmx upload: the result itself, retargeted into the page's dialog (not a redirect)",
  async (t) => {
    const { editor, acme } = await setup(t);
    const run = await upload(
      editor,
      `/businesses/${acme.businessId}/numbers/delete`,
      "+12133734253",
      {},
      HX,
    );
    t.equal(run.statusCode, 200);
    t.equal(run.headers["hx-retarget"], "#dialog-body");
    t.equal(run.headers["hx-reswap"], "innerHTML");
    t.notMatch(run.body, /<html/);
    t.match(run.body, /<h2 id="dialog-title">Delete run #\d+/);
    t.match(run.body, /Removed Numbers \(1\)/);
  },
);

t.test("refused before reading: no CSRF token, no tick, no file, no right to", async (t) => {
  const { app, editor, db, acme, globex, snapshot } = await setup(t);
  const url = `/businesses/${acme.businessId}/numbers/delete`;
  // Signing in writes sessions and audit events: done before the snapshot.
  const other = (await userAgent(app, db, "o@acme.test", "editor", `business:${acme.businessId}`))
    .agent;
  const viewer = (await userAgent(app, db, "v@acme.test", "viewer", `business:${acme.businessId}`))
    .agent;
  const before = await snapshot();

  // No _csrf field and no X-CSRF-Token header (the agent would add its own).
  const noToken = await editor.inject({
    method: "POST",
    url,
    ...multipart({ confirm: "yes" }, { content: "+12133734253" }, { "x-csrf-token": "", ...HTML }),
  });
  t.equal(noToken.statusCode, 403);
  t.match(noToken.body, /This form has expired or did not come from this portal/);
  const forged = await editor.inject({
    method: "POST",
    url,
    ...multipart(
      { _csrf: "forged", confirm: "yes" },
      { content: "+12133734253" },
      { "x-csrf-token": "", ...HTML },
    ),
  });
  t.equal(forged.statusCode, 403);
  // Another session's token does not do either.
  const stolen = await editor.inject({
    method: "POST",
    url,
    ...multipart(
      { _csrf: other.csrfToken, confirm: "yes" },
      { content: "+12133734253" },
      { "x-csrf-token": "", ...HTML },
    ),
  });
  t.equal(stolen.statusCode, 403);
  t.same(await snapshot(), before, "nothing written without a valid token");

  const noTick = await upload(editor, url, "+12133734253", { confirm: "" });
  t.equal(noTick.statusCode, 422);
  t.match(noTick.body, /Tick the box to confirm that the numbers in this file are to be deleted\./);
  const noFile = await editor.inject({
    method: "POST",
    url,
    ...multipart({ _csrf: editor.csrfToken, confirm: "yes" }, { content: "", filename: "" }),
  });
  t.equal(noFile.statusCode, 422);
  t.match(noFile.body, /Choose a file of phone numbers to upload/);
  const blank = await upload(editor, url, "\r\n\r\nphone_number\r\n");
  t.equal(blank.statusCode, 422);
  t.match(blank.body, /The file has no phone numbers in it/);

  t.equal((await upload(viewer, url, "+12133734253", {}, HTML)).statusCode, 403);
  t.equal(
    (await upload(editor, `/businesses/${globex.businessId}/numbers/delete`, "+12133739999"))
      .statusCode,
    404,
    "another tenant's level does not exist",
  );
  t.equal(
    (
      await upload(
        editor,
        `/businesses/${globex.businessId}/numbers/delete`,
        Buffer.alloc(8 * MiB + 1, "1\n"),
      )
    ).statusCode,
    404,
    "…not even to say that a file is too large",
  );
  t.same(await snapshot(), before, "nothing written");
});

t.test("uploads are limited to 10 a minute per user; typed runs are not", async (t) => {
  const { editor, acme } = await setup(t);
  const url = `/units/${acme.unitId}/numbers/add`;
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    statuses.push(
      (await upload(editor, url, `+1213728${String(1000 + i)}`, { call_purpose: "1" })).statusCode,
    );
  }
  t.same(statuses.slice(0, 10), Array(10).fill(303));
  t.equal(statuses[10], 429, "the 11th upload in a minute is refused");
  const typed = await editor.inject({
    method: "POST",
    url,
    payload: new URLSearchParams({ numbers: "+12137282000", call_purpose: "1" }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  t.equal(typed.statusCode, 303, "a typed run still goes through");
});

t.test("the run's progress: for its own user only, by the form's progress id", async (t) => {
  const { editor, admin, acme } = await setup(t);
  const url = `/units/${acme.unitId}/numbers/delete?tab=upload`;
  const form = await editor.inject({ url, headers: HTML });
  const progressId = /name="progress" value="([^"]+)"/.exec(form.body)?.[1] ?? "";
  t.match(progressId, /^[0-9a-f-]{36}$/, "the form carries a fresh progress id");
  t.match(form.body, new RegExp(`hx-headers='\\{"X-Upload-Progress": "${progressId}"\\}'`));
  t.match(
    form.body,
    new RegExp(
      `<span class="upload-poll" hx-get="/runs/${progressId}/progress" hx-trigger="submit from:closest form delay:500ms" hx-swap="outerHTML">`,
    ),
    "a poller that starts when the form is sent",
  );

  const progressOf = async (agent: Agent, id: string) => {
    const res = await agent.inject({ url: `/runs/${id}/progress` });
    t.equal(res.statusCode, 200);
    t.equal(res.headers["cache-control"], "no-store");
    return res.json();
  };
  t.same(await progressOf(editor, progressId), { phase: "unknown", done: 0, total: 0 });

  const res = await upload(
    editor,
    `/units/${acme.unitId}/numbers/delete`,
    "+12133734254\n+12133734253\nnot a number\n",
    { progress: progressId },
  );
  t.equal(res.statusCode, 303);
  t.same(
    await progressOf(editor, progressId),
    { phase: "done", done: 3, total: 3 },
    "the finished run",
  );
  t.same(
    await progressOf(admin, progressId),
    { phase: "unknown", done: 0, total: 0 },
    "another user's id tells nothing",
  );
  t.same(await progressOf(editor, "x"), { phase: "unknown", done: 0, total: 0 }, "not an id");
  const anonymous = await editor.app.inject({ url: `/runs/${progressId}/progress` });
  t.not(anonymous.statusCode, 200, "signed out: no progress");
});

t.test("the progress fragment polls itself while the post is open; 286 stops it", async (t) => {
  const { editor, acme, database } = await setup(t);
  const url = `/units/${acme.unitId}/numbers/delete`;
  const form = await editor.inject({ url: `${url}?tab=upload`, headers: { ...HX, ...HTML } });
  const progressId = /name="progress" value="([^"]+)"/.exec(form.body)?.[1] ?? "";
  const fragment = async () => {
    const res = await editor.inject({ url: `/runs/${progressId}/progress`, headers: HX });
    const trigger = /class="upload-poll"[^>]* hx-trigger="([^"]+)"/.exec(res.body)?.[1];
    const words = /<span id="upload-status"[^>]* hx-swap-oob="innerHTML">([^<]*)</.exec(res.body);
    return { status: res.statusCode, trigger, words: words?.[1] ?? null, body: res.body };
  };
  const WAIT_FOR_SUBMIT = "submit from:closest form delay:500ms";

  const before = await fragment();
  t.equal(before.status, 286, "nothing posted yet: stop");
  t.equal(before.trigger, WAIT_FOR_SUBMIT, "and wait for the form to be sent");
  t.equal(before.words, null, "the bar is left alone");
  const notAnId = await editor.inject({ url: "/runs/x/progress", headers: HX });
  t.equal(notAnId.statusCode, 286);
  t.equal(notAnId.body, "", "not an id: nothing to swap in");

  // Another change holds what the run needs: the run reads its file, then waits its turn.
  // SQLite: the writer lock. PostgreSQL has none: its runs lock the rows they take (FOR
  // UPDATE), so another transaction holds one of the file's numbers.
  const release = await holdUp(database, "+12133734254");
  t.teardown(release);
  const followed = { ...HX, "x-upload-progress": progressId };
  const posting = upload(
    editor,
    url,
    "+12133734254\n+12133734253\nnot a number\n",
    {
      progress: progressId,
    },
    followed,
  );
  // The post is open once its request has begun: on PostgreSQL this request and the upload
  // each look up their session first, on their own connections, so either may come first.
  let waiting = await fragment();
  for (let i = 0; i < 200 && waiting.status === 286; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    waiting = await fragment();
  }
  const held = database.kind === "sqlite" ? /waiting/ : /^(Deleting 0 of 3|3 numbers read)/;
  for (let i = 0; i < 200 && !held.test(waiting.words ?? ""); i++) {
    t.equal(waiting.status, 200, "while the post is open, ask again");
    await new Promise((resolve) => setTimeout(resolve, 50));
    waiting = await fragment();
  }
  t.equal(waiting.status, 200, "waiting: 200");
  t.equal(waiting.trigger, "load delay:500ms", "the answer polls itself");
  if (database.kind === "sqlite") {
    t.equal(waiting.words, "3 numbers read; waiting for another change to finish…");
  } else {
    t.match(waiting.words, held, "the file is read; the run is held at the row's lock");
  }
  t.match(
    waiting.body,
    /<span id="upload-bar"[^>]* hx-swap-oob="innerHTML"><progress max="1" aria-label/,
  );
  await release();
  const posted = await posting;
  // With htmx the answer is the result itself, for the page's dialog (routes/runs/jobs.ts).
  t.equal(posted.statusCode, 200);
  t.equal(posted.headers["hx-retarget"], "#dialog-body");
  t.match(posted.body, /Removed Numbers/);

  const done = await fragment();
  t.equal(done.status, 286, "done: stop polling");
  t.equal(done.trigger, WAIT_FOR_SUBMIT, "no more asking (htmx 4 has no 286: no trigger to run)");
  t.equal(done.words, "Done: 3 numbers. Opening the result…");
  t.match(done.body, /<progress max="1" value="1"/);
  t.same(
    (await editor.inject({ url: `/runs/${progressId}/progress` })).json(),
    { phase: "done", done: 3, total: 3 },
    "a script's JSON is as before",
  );

  // Refused (no tick): the post is answered with the form, and the poller stops, bar reset.
  const refused = await upload(
    editor,
    url,
    "+12133734254\n",
    {
      progress: progressId,
      confirm: "",
    },
    followed,
  );
  t.equal(refused.statusCode, 422);
  const after = await fragment();
  t.equal(after.status, 286);
  t.equal(after.trigger, WAIT_FOR_SUBMIT);
  t.equal(after.words, "Uploading…", "ready for the next try");

  // Posted without the header (no JavaScript, a script): reported, but nobody polls it.
  const plainId = "0123456789abcdef";
  const plain = await upload(editor, url, "+12133734254\n", { progress: plainId });
  t.equal(plain.statusCode, 303);
  const unfollowed = await editor.inject({ url: `/runs/${plainId}/progress`, headers: HX });
  t.equal(unfollowed.statusCode, 286);
  t.same((await editor.inject({ url: `/runs/${plainId}/progress` })).json().phase, "done");
});

t.test("delete upload: a number written as stored must still match its call purpose", async (t) => {
  const { editor, acme, outcomes } = await setup(t);
  const url = `/units/${acme.unitId}/numbers/delete`;
  const codes = async (csv: string) => {
    const res = await upload(editor, url, csv);
    t.equal(res.statusCode, 303);
    return (await outcomes(jobIdOf(res.headers.location))).map((o) => [o.code, o.message]);
  };
  t.same(await codes("phone_number,call_purpose\n+12133734254,Survey\n"), [
    ["CALL_PURPOSE_MISMATCH", "It is Customer Service, not Survey."],
  ]);
  t.same(
    await codes("phone_number,call_purpose\n+12133734254,customer service\n"),
    [[null, null]],
    "removed once the purpose matches, whatever its case",
  );
});
