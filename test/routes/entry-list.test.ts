/**
 * The Manual tab's list, built by the server (issue 12 item 5): Add to list, paste, ✕ and
 * Check answer the list with each entry's verdict (one request for many), plain and with htmx;
 * the delete confirmation counts valid distinct entries only; Add entries carry their own call
 * purposes; long lists point to Upload.
 */
import t from "tap";
import { PHONE_INPUT_MESSAGES } from "../../src/domain/phone-input.js";
import { form, HX } from "../helpers/app.js";
import { callPurposeId } from "../helpers/fixtures.js";
import { buildRunGround, jobIdOf } from "../helpers/tenants.js";
import { userAgent } from "../helpers/users.js";

const HTML = { accept: "text/html" };

/** Each entry of a rendered list as [number as given, note]. */
const entriesOf = (html: string): Array<[string, string]> =>
  [...html.matchAll(/<li class="entry"[^>]*>([\s\S]*?)<\/li>/g)].map((m) => {
    const item = m[1] ?? "";
    const text = (re: RegExp) =>
      (re.exec(item)?.[1] ?? "")
        .replace(/<[^>]+>/g, "")
        .replace(/\s+/g, " ")
        .trim();
    return [
      text(/class="entry-number">([\s\S]*?)<\/span>/),
      text(/class="entry-note">([\s\S]*?)<\/span>\s*(?:<span class="entry-purpose"|<button)/),
    ];
  });

t.test("Delete List: add, paste and remove answer the list with verdicts", async (t) => {
  const { editor, acme, database } = await buildRunGround(t);
  const list = `/units/${acme.unitId}/numbers/delete/list`;
  const numbersBefore = await database.db.selectFrom("phone_numbers").select("id").execute();

  const page = await editor.inject({ url: `/units/${acme.unitId}/numbers/delete` });
  t.equal(page.statusCode, 200);
  t.match(page.body, /No numbers yet: add them above\./);
  t.match(page.body, new RegExp(`formaction="${list}"`), "Add to Delete List posts to the list");
  t.match(page.body, /<noscript>.*>Check<\/button>/s, "without JavaScript a Check button");
  t.notMatch(page.body, /delete-list\.js/, "no Delete List script");

  // A pasted list (lines, commas, semicolons) is one request for all of them.
  const pasted = await editor.inject({
    method: "POST",
    url: list,
    ...form([
      ["numbers", "(213) 373-4253"],
      ["number", "+1 213 373 4253\n1-800-FLOWERS, 213.373.4254; +1 310 728 4411"],
      ["list", "add"],
    ]),
  });
  t.equal(pasted.statusCode, 200);
  t.match(pasted.body, /<html/, "without htmx: the whole page");
  t.same(entriesOf(pasted.body), [
    ["(213) 373-4253", "✓ Valid: +12133734253"],
    ["+1 213 373 4253", "The same number as entry 1."],
    ["1-800-FLOWERS", PHONE_INPUT_MESSAGES.letters],
    ["213.373.4254", "✓ Valid: +12133734254"],
    ["+1 310 728 4411", "✓ Valid: +13107284411"],
  ]);
  t.match(pasted.body, /Delete List <span class="muted" id="entry-list-count">\(5\)/);
  t.match(pasted.body, /3 numbers to delete; 2 entries will be skipped\./);
  t.match(pasted.body, /<textarea id="field-number" name="number"[^>]*><\/textarea>/, "emptied");

  // ✕ on entry 1: the repeat that was "same as entry 1" is now entry 1, and valid.
  const removed = await editor.inject({
    method: "POST",
    url: list,
    ...form(
      [
        ["numbers", "(213) 373-4253"],
        ["numbers", "+1 213 373 4253"],
        ["numbers", "1-800-FLOWERS"],
        ["remove", "1"],
      ],
      HX,
    ),
  });
  t.equal(removed.statusCode, 200);
  t.notMatch(removed.body, /<html/, "with htmx: the list alone");
  t.match(removed.body, /^\s*<div id="entry-list-region"/);
  t.same(entriesOf(removed.body), [
    ["+1 213 373 4253", "✓ Valid: +12133734253"],
    ["1-800-FLOWERS", PHONE_INPUT_MESSAGES.letters],
  ]);
  t.match(
    removed.body,
    /id="entry-list-status" aria-live="polite" hx-swap-oob="true">Removed entry 1\. 2 entries in the list\./,
    "said to screen readers, out of band",
  );
  t.match(removed.body, /1 number to delete; 1 entry will be skipped\./);
  t.match(removed.body, /aria-label="Remove entry 2, 1-800-FLOWERS"/, "each ✕ names its entry");

  const added = await editor.inject({
    method: "POST",
    url: list,
    ...form([["number", "(213) 373-4254"]], HX),
  });
  t.match(added.body, />Added 1 entry\. 1 entry in the list\.</);
  t.match(added.body, /\bautofocus\b/, "the number field takes focus again");

  t.same(
    await database.db.selectFrom("phone_numbers").select("id").execute(),
    numbersBefore,
    "the list changes nothing",
  );
});

t.test("the delete confirmation counts valid distinct entries only", async (t) => {
  const { editor, acme, database } = await buildRunGround(t);
  const count = async () =>
    (await database.db.selectFrom("phone_numbers").select("id").execute()).length;
  const url = `/units/${acme.unitId}/numbers/delete`;
  const entries: Array<[string, string]> = [
    ["numbers", "+12133734253"],
    ["numbers", "(213) 373-4253"],
    ["numbers", "nope"],
    ["numbers", "+12133734254"],
    ["numbers", "+13107284411"],
  ];
  const plain = await editor.inject({ method: "POST", url, ...form(entries) });
  t.equal(plain.statusCode, 200);
  t.match(plain.body, /<html/);
  t.match(plain.body, /Delete 3 numbers from ACME Corp › Billing\?/);
  t.match(plain.body, /2 entries will be skipped/);
  t.match(
    plain.body,
    /<li title="\+12133734253">\(213\) 373-4253<\/li>/,
    "national, E.164 on hover",
  );

  const dialog = await editor.inject({ method: "POST", url, ...form(entries, HX) });
  t.equal(dialog.statusCode, 200);
  t.notMatch(dialog.body, /<html/, "with htmx: the dialog's content");
  t.match(dialog.body, /<h2 id="dialog-title">Delete 3 numbers from ACME Corp › Billing\?/);
  t.match(dialog.body, /hx-post="\/units\/\d+\/numbers\/delete" hx-target="#dialog-body"/);
  t.match(dialog.body, /data-close-dialog/, "Cancel closes the dialog");
  t.equal(await count(), 4, "nothing deleted before Ok");

  const junk = await editor.inject({
    method: "POST",
    url,
    ...form([["numbers", "nope"]], HX),
  });
  t.equal(junk.statusCode, 422, "no valid entry: nothing to ask about");
  t.equal(junk.headers["hx-retarget"], "#entry-list-region", "the list shows why, not the dialog");
  t.match(junk.body, /No entry in the list is a valid phone number/);
  const junkPlain = await editor.inject({ method: "POST", url, ...form([["numbers", "nope"]]) });
  t.equal(junkPlain.statusCode, 422);
  t.match(junkPlain.body, /aria-invalid="true"/);

  const run = await editor.inject({
    method: "POST",
    url,
    ...form([...entries, ["confirm", "yes"]], HX),
  });
  t.equal(run.statusCode, 200);
  t.equal(run.headers["hx-retarget"], "#dialog-body", "the result opens in the page's dialog");
  t.match(run.body, /<h2 id="dialog-title">Delete run #\d+/);
  t.match(run.body, /Removed Numbers \(2\)/);
  t.match(
    run.body,
    /<abbr title="\+12133734253">\(213\) 373-4253<\/abbr>/,
    "national, E.164 on hover",
  );
  t.match(
    run.body,
    /<div id="entry-list-region" class="entry-list-region" hx-swap-oob="true">[\s\S]*No numbers yet/,
    "the list behind is emptied: its entries ran",
  );
  t.equal(await count(), 2, "the two in the unit are gone (the third is outside it)");
});

t.test("Add List: each entry carries its call purpose, changeable per entry", async (t) => {
  const { editor, acme, database, outcomes } = await buildRunGround(t);
  const { db } = database;
  const survey = String(await callPurposeId(db, "survey"));
  const charity = String(await callPurposeId(db, "charity"));
  const url = `/programs/${acme.programId}/numbers/add`;

  const listed = await editor.inject({
    method: "POST",
    url: `${url}/list`,
    ...form([
      ["numbers", "+1 213 728 1001"],
      ["purposes", charity],
      ["number", "+1 213 728 1002, +1 213 728 1003"],
      ["call_purpose", survey],
    ]),
  });
  t.equal(listed.statusCode, 200);
  t.same(
    entriesOf(listed.body).map(([n]) => n),
    ["+1 213 728 1001", "+1 213 728 1002", "+1 213 728 1003"],
  );
  const selected = [
    ...listed.body.matchAll(/<select id="purpose-(\d)" name="purposes">[\s\S]*?<\/select>/g),
  ].map((m) => /<option value="(\d+)" selected>/.exec(m[0])?.[1]);
  t.same(selected, [charity, survey, survey], "its own, then the one chosen for new entries");
  t.match(listed.body, /<label class="visually-hidden" for="purpose-2">Call purpose of entry 2/);

  const run = await editor.inject({
    method: "POST",
    url,
    ...form([
      ["numbers", "+1 213 728 1001"],
      ["purposes", charity],
      ["numbers", "+1 213 728 1002"],
      ["purposes", survey],
      ["numbers", "+1 213 728 1003"],
      ["purposes", "999999"],
      ["call_purpose", survey],
    ]),
  });
  t.equal(run.statusCode, 303);
  const rows = await outcomes(jobIdOf(run.headers.location));
  t.same(
    rows.map((o) => [o.line, o.outcome, o.code]),
    [
      [1, "added", null],
      [2, "added", null],
      [3, "rejected", "UNKNOWN_CALL_PURPOSE"],
    ],
  );
  const purposes = await db
    .selectFrom("phone_numbers")
    .select(["e164", "call_purpose_id"])
    .where("e164", "in", ["+12137281001", "+12137281002"])
    .orderBy("e164")
    .execute();
  t.same(
    purposes.map((p) => String(p.call_purpose_id)),
    [charity, survey],
  );
});

t.test("over 1,000 entries the list points to Upload and still posts them all", async (t) => {
  const { editor, acme } = await buildRunGround(t);
  const many = Array.from({ length: 1_001 }, (_, i) => `+1213${String(7000000 + i)}`).join("\n");
  const res = await editor.inject({
    method: "POST",
    url: `/units/${acme.unitId}/numbers/delete/list`,
    ...form([["number", many]]),
  });
  t.equal(res.statusCode, 200);
  t.match(res.body, /This list has 1,001 entries; the list shows up to 1,000\./);
  t.match(res.body, /href="\/units\/\d+\/numbers\/delete\?tab=upload">Upload it</);
  t.equal(entriesOf(res.body).length, 0, "no entry by entry list");
  t.match(res.body, /<textarea name="numbers" hidden aria-hidden="true">\+12137000000\n/);
});

t.test("the number field's live check: several pasted are left to the list", async (t) => {
  const { editor } = await buildRunGround(t);
  const res = await editor.inject({
    url: `/numbers/check?number=${encodeURIComponent("213 373 4253, 213 373 4254")}`,
    headers: HX,
  });
  t.equal(res.statusCode, 200);
  t.match(
    res.body,
    /class="check-note" role="status">2 numbers: adding them to the list checks each one\./,
  );
  const one = await editor.inject({ url: "/numbers/check?number=2133734253", headers: HX });
  t.match(one.body, /check-valid/, "one number is checked as before");
});

t.test("the list answers only where the user may change numbers", async (t) => {
  const { app, editor, acme, globex, database } = await buildRunGround(t);
  const viewer = (
    await userAgent(app, database.db, "v@acme.test", "viewer", `business:${acme.businessId}`)
  ).agent;
  const body = form([["number", "+12133734253"]], HTML);
  const at = (url: string) => ({ method: "POST" as const, url, ...body });
  t.equal((await viewer.inject(at(`/units/${acme.unitId}/numbers/delete/list`))).statusCode, 403);
  t.equal((await editor.inject(at(`/units/${globex.unitId}/numbers/delete/list`))).statusCode, 404);
  t.equal(
    (await editor.inject(at(`/programs/${acme.programId}/numbers/delete/list`))).statusCode,
    404,
    "no Delete at program level",
  );
  t.equal(
    (await editor.inject(at(`/programs/${acme.programId}/numbers/add/list`))).statusCode,
    200,
  );
});
