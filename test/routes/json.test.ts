/**
 * JSON on the same URLs (product.md §7): a script with `Accept: application/json` gets the
 * result as JSON, while plain form posts and htmx keep their HTML behaviour exactly.
 */
import t from "tap";
import { form, HX } from "../helpers/app.js";
import { callPurposeId, numberId } from "../helpers/fixtures.js";
import { buildRunGround, jobIdOf } from "../helpers/tenants.js";
import { scriptHeaders, tokenOf } from "../helpers/tokens.js";

const HTML = { accept: "text/html" };
const JSON_ACCEPT = { accept: "application/json" };

/** A multipart body with fields and, optionally, one file. */
function multipart(
  fields: Record<string, string>,
  file: string | null,
  headers: Record<string, string>,
) {
  const boundary = "----numberdeskjson";
  let body = "";
  for (const [name, value] of Object.entries(fields)) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  if (file !== null) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="n.txt"\r\nContent-Type: text/plain\r\n\r\n${file}\r\n`;
  }
  body += `--${boundary}--\r\n`;
  return {
    payload: body,
    headers: { "content-type": `multipart/form-data; boundary=${boundary}`, ...headers },
  };
}

async function setup(t: Parameters<typeof buildRunGround>[0]) {
  const ground = await buildRunGround(t);
  const { db } = ground.database;
  const headers = scriptHeaders(await tokenOf(db, "ed@acme.test"));
  const idOf = (e164: string) => numberId(db, e164);
  return { ...ground, db, headers, idOf };
}

t.test("edit: 303 for a form, a fragment for htmx, {ok, message, number} for JSON", async (t) => {
  const { editor, db, idOf } = await setup(t);
  const id = await idOf("+12133734253");
  const survey = String(await callPurposeId(db, "survey"));
  const url = `/numbers/${id}/edit`;

  const plain = await editor.inject({
    method: "POST",
    url,
    ...form({ call_purpose: survey }, HTML),
  });
  t.equal(plain.statusCode, 303);
  const hx = await editor.inject({ method: "POST", url, ...form({ call_purpose: survey }, HX) });
  t.equal(hx.statusCode, 200);
  t.match(hx.headers["content-type"], /text\/html/);
  t.match(String(hx.headers["hx-trigger"]), /numbers-changed/);

  const json = await editor.inject({
    method: "POST",
    url,
    ...form({ call_purpose: survey }, JSON_ACCEPT),
  });
  t.equal(json.statusCode, 200);
  t.match(json.json(), {
    ok: true,
    message: "(213) 373-4253 now has the call purpose Survey.",
    number: { id, phone_number: "+12133734253", call_purpose: { name: "Survey" } },
  });
  t.notOk(json.headers["set-cookie"], "no flash cookie for a script");

  const bad = await editor.inject({
    method: "POST",
    url,
    ...form({ call_purpose: "999" }, JSON_ACCEPT),
  });
  t.equal(bad.statusCode, 422);
  t.match(bad.json(), { statusCode: 422, errors: { call_purpose: /./ } });
  const badHtml = await editor.inject({
    method: "POST",
    url,
    ...form({ call_purpose: "999" }, HTML),
  });
  t.equal(badHtml.statusCode, 422);
  t.match(badHtml.body, /aria-invalid="true"/, "the form still comes back for a browser");

  const form_ = await editor.inject({ url, headers: JSON_ACCEPT });
  t.match(form_.json(), { number: { id }, call_purposes: [{ id: Number }] });
  const repeated = await editor.inject({
    method: "POST",
    url,
    ...form(
      [
        ["call_purpose", survey],
        ["call_purpose", survey],
      ],
      JSON_ACCEPT,
    ),
  });
  t.equal(repeated.statusCode, 400);
  t.equal(repeated.json().statusCode, 400);
});

t.test("dashboard, assignments, remove: JSON, and the pages stay HTML", async (t) => {
  const { app, acme, headers, idOf } = await setup(t);
  const url = `/units/${acme.unitId}/numbers?q=3734&sort=number`;
  const json = await app.inject({ url, headers });
  t.equal(json.statusCode, 200);
  t.match(json.headers.vary, /Accept/);
  const body = json.json();
  t.equal(body.total, 2);
  t.equal(body.page, 1);
  t.same(
    body.numbers.map((n: { phone_number: string }) => n.phone_number),
    ["+12133734253", "+12133734254"],
  );
  t.match(body.numbers[0], { program: { name: "Q4 Reminders" }, display_name: "ACME Billing" });
  const fragment = await app.inject({
    url,
    headers: { ...headers, ...HX, "hx-target": "number-results" },
  });
  t.match(fragment.headers["content-type"], /text\/html/, "htmx gets its fragment");
  const browser = await app.inject({
    url,
    headers: { ...headers, accept: "text/html,application/json;q=0.9" },
  });
  t.match(browser.body, /<html/, "a browser's Accept gets the page");

  const id = await idOf("+12133734253");
  const assignments = await app.inject({ url: `/numbers/${id}/assignments`, headers });
  t.match(assignments.json(), { number: { id, unit: { name: "Billing" } }, history: Array });
  const ask = await app.inject({ url: `/numbers/${id}/remove`, headers });
  t.match(ask.json(), { number: { id, brands: true, display_name: "ACME Billing" } });
  const removed = await app.inject({ method: "POST", url: `/numbers/${id}/remove`, headers });
  t.equal(removed.statusCode, 200);
  t.match(removed.json(), { ok: true, message: /no longer displays ACME Billing/ });
  const gone = await app.inject({ url: `/numbers/${id}/assignments`, headers });
  t.equal(gone.statusCode, 404);
  t.match(gone.json(), { statusCode: 404, error: "Not found", message: String });
  t.notOk("stack" in gone.json());

  const htmlOnly = await app.inject({ url: "/account", headers });
  t.equal(htmlOnly.statusCode, 406, "a page without JSON says so rather than sending HTML");
  t.match(htmlOnly.json(), { statusCode: 406, message: /docs\/scripting.md/ });
});

t.test("add and delete runs: 201 with the job; delete needs confirm=yes", async (t) => {
  const { app, editor, acme, headers, db } = await setup(t);
  const addForm = await app.inject({ url: `/programs/${acme.programId}/numbers/add`, headers });
  t.match(addForm.json(), {
    action: `/programs/${acme.programId}/numbers/add`,
    default_call_purpose: await callPurposeId(db, "customer_service"),
  });
  const deleteForm = await app.inject({ url: `/units/${acme.unitId}/numbers/delete`, headers });
  t.match(deleteForm.json(), { action: `/units/${acme.unitId}/numbers/delete` });

  const add = await app.inject({
    method: "POST",
    url: `/units/${acme.unitId}/numbers/add`,
    ...form(
      { numbers: "+1 213 373 4270\n1-800-FLOWERS\n+1 213 373 9999", call_purpose: "1" },
      headers,
    ),
  });
  t.equal(add.statusCode, 201);
  const job = add.json();
  t.equal(add.headers.location, `/jobs/${job.job.id}`);
  t.match(job.job, { kind: "add", total: 3, succeeded: 1, rejected: 2, status: "done" });
  t.same(
    job.outcomes.map((o: { line: number; outcome: string; code: string | null }) => [
      o.line,
      o.outcome,
      o.code,
    ]),
    [
      [1, "added", null],
      [2, "rejected", "INVALID_FORMAT"],
      [3, "rejected", "EXISTS_ELSEWHERE"],
    ],
  );
  t.notMatch(JSON.stringify(job), /Globex/, "another tenant's place is never named");
  const again = await app.inject({ url: `/jobs/${job.job.id}`, headers });
  t.same(again.json(), job, "GET /jobs/:id is the same JSON");

  const noPurpose = await app.inject({
    method: "POST",
    url: `/units/${acme.unitId}/numbers/add`,
    ...form({ numbers: "+1 213 373 4271" }, headers),
  });
  t.equal(noPurpose.statusCode, 422);
  t.match(noPurpose.json(), { errors: { call_purpose: /call purpose/ } });

  const url = `/units/${acme.unitId}/numbers/delete`;
  const unconfirmed = await app.inject({
    method: "POST",
    url,
    ...form({ numbers: "+1 213 373 4270" }, headers),
  });
  t.equal(unconfirmed.statusCode, 422);
  t.match(unconfirmed.json(), { errors: { confirm: /confirm=yes/ } });
  const browser = await editor.inject({
    method: "POST",
    url,
    ...form({ numbers: "+1 213 373 4270" }, HTML),
  });
  t.equal(browser.statusCode, 200, "a browser still gets the confirmation page");
  t.match(browser.body, /Delete 1 number/);
  const empty = await app.inject({ method: "POST", url, ...form({ confirm: "yes" }, headers) });
  t.equal(empty.statusCode, 422);
  t.match(empty.json(), { errors: { numbers: "Enter at least one phone number." } });
  const run = await app.inject({
    method: "POST",
    url,
    ...form({ numbers: "+1 213 373 4270", confirm: "yes" }, headers),
  });
  t.equal(run.statusCode, 201);
  t.match(run.json(), {
    job: { kind: "delete", succeeded: 1 },
    outcomes: [{ outcome: "removed" }],
  });
  const plain = await editor.inject({
    method: "POST",
    url,
    ...form({ numbers: "+1 213 373 4254", confirm: "yes" }, HTML),
  });
  t.equal(plain.statusCode, 303, "a plain form still gets its 303");
  t.ok(jobIdOf(plain.headers.location) > 0);

  const upload = await app.inject({
    method: "POST",
    url,
    ...multipart({ confirm: "yes" }, "+1 213 373 4253\n", headers),
  });
  t.equal(upload.statusCode, 201);
  t.match(upload.json(), { job: { kind: "delete", source: "upload", succeeded: 1 } });
  const noFile = await app.inject({
    method: "POST",
    url,
    ...multipart({ confirm: "yes" }, null, headers),
  });
  t.equal(noFile.statusCode, 422);
  t.match(noFile.json(), { errors: { file: /Choose a file/ } });
  const uploadUnconfirmed = await app.inject({
    method: "POST",
    url,
    ...multipart({}, "+1 213 373 4253\n", headers),
  });
  t.equal(uploadUnconfirmed.statusCode, 422);
  t.match(uploadUnconfirmed.json(), { errors: { confirm: /./ } });
});

t.test("a job's outcomes come in pages of 10,000", async (t) => {
  const { app, acme, headers } = await setup(t);
  const lines = Array.from({ length: 10_001 }, (_, i) => `not a number ${i}`).join("\n");
  const run = await app.inject({
    method: "POST",
    url: `/programs/${acme.programId}/numbers/add`,
    ...form({ numbers: lines }, headers),
  });
  t.equal(run.statusCode, 201);
  const first = run.json();
  t.match(first, { page: 1, page_count: 2, next: `/jobs/${first.job.id}?page=2` });
  t.equal(first.outcomes.length, 10_000);
  const second = (await app.inject({ url: String(first.next), headers })).json();
  t.match(second, { page: 2, page_count: 2, next: null });
  t.same(
    second.outcomes.map((o: { line: number; code: string }) => [o.line, o.code]),
    [[10_001, "INVALID_FORMAT"]],
  );
});

t.test("recently removed, restore and activity as JSON", async (t) => {
  const { app, acme, headers, idOf } = await setup(t);
  const id = await idOf("+12133734254");
  await app.inject({ method: "POST", url: `/numbers/${id}/remove`, headers });
  const removed = await app.inject({ url: `/units/${acme.unitId}/numbers/removed`, headers });
  const list = removed.json();
  t.match(list, { total: 1, removals: [{ phone_number: "+12133734254", state: "restorable" }] });
  const removalId = list.removals[0].id;
  const restore = await app.inject({
    method: "POST",
    url: `/removed/${removalId}/restore`,
    headers,
  });
  t.equal(restore.statusCode, 200);
  t.match(restore.json(), { ok: true, message: /Restored \(213\) 373-4254/ });
  const twice = await app.inject({ method: "POST", url: `/removed/${removalId}/restore`, headers });
  t.equal(twice.statusCode, 409, "a refusal is a 409 for scripts, not a redirect");
  t.match(twice.json(), { statusCode: 409, message: /./ });
  const none = await app.inject({ method: "POST", url: "/removed/restore", headers });
  t.equal(none.statusCode, 422);
  t.match(none.json(), { errors: { ids: /Select/ } });

  const activity = await app.inject({
    url: `/units/${acme.unitId}/activity?action=number`,
    headers,
  });
  const events = activity.json().events;
  t.same(
    events.map((e: { action: string }) => e.action),
    ["number.restore", "number.remove"],
  );
  t.match(events[1], { user: "ed@acme.test", token: "script", phone_number: "+12133734254" });
});
