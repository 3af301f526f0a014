import t, { type Test } from "tap";
import { form } from "../helpers/app.js";
import { callPurposeId, countRows, insertNumber } from "../helpers/fixtures.js";
import { buildRunGround, jobIdOf } from "../helpers/tenants.js";
import { userAgent } from "../helpers/users.js";

const HTML = { accept: "text/html" };

async function setup(t: Test) {
  const ground = await buildRunGround(t);
  const { db } = ground.database;
  const count = () => countRows(db, "phone_numbers");
  return { ...ground, count };
}

t.test(
  "delete: asks first, then removes valid numbers and rejects the rest with codes",
  async (t) => {
    const { editor: admin, database, acme, count, outcomes } = await setup(t);
    const url = `/units/${acme.unitId}/numbers/delete`;
    const page = await admin.inject({ url });
    t.equal(page.statusCode, 200);
    t.match(page.body, /aria-current="page" class="tab tab-active">Manual/);

    const text = [
      "(213) 373-4253", // in the unit's program: removed
      "+1 213 373 4253", // the same number again
      "213.373.4254", // at unit level: removed
      "1-800-FLOWERS", // letters
      "+1 310 728 4411", // ACME, but at business level: outside this unit
      "+1 213 373 9999", // Globex's: must look like it does not exist
      "+1 213 373 1111", // nowhere
    ].join("\n");
    const confirm = await admin.inject({ method: "POST", url, ...form({ numbers: text }) });
    t.equal(confirm.statusCode, 200);
    t.match(confirm.body, /Delete 5 numbers from ACME Corp › Billing\?/, "valid ones, each once");
    t.match(confirm.body, /2 entries will be skipped/, "the repeat and the letters");
    t.equal(await count(), 4, "nothing removed before Ok");

    const run = await admin.inject({
      method: "POST",
      url,
      ...form({ numbers: text, confirm: "yes" }),
    });
    t.equal(run.statusCode, 303);
    const jobId = jobIdOf(run.headers.location);
    t.ok(jobId > 0, "the result is a job page");
    t.equal(await count(), 2, "two numbers removed");
    t.same(
      (await outcomes(jobId)).map((o) => [o.line, o.outcome, o.code]),
      [
        [1, "removed", null],
        [2, "rejected", "DUPLICATE_IN_LIST"],
        [3, "removed", null],
        [4, "rejected", "INVALID_FORMAT"],
        [5, "rejected", "OUTSIDE_LEVEL"],
        [6, "rejected", "NOT_FOUND"],
        [7, "rejected", "NOT_FOUND"],
      ],
    );
    const rows = await outcomes(jobId);
    t.match(
      rows[4]?.message,
      /It is in ACME Corp, not in ACME Corp › Billing\./,
      "OUTSIDE_LEVEL names where",
    );
    t.notMatch(JSON.stringify(rows), /Globex/, "another tenant's number is not revealed");

    const result = await admin.inject({ url: `/jobs/${jobId}` });
    t.equal(result.statusCode, 200);
    t.match(result.body, /Removed Numbers \(2\)/);
    t.match(result.body, /Rejected Numbers \(5\)/);
    t.match(result.body, /Some numbers were rejected\. Double-check the number and call purpose/);
    t.match(result.body, /Duplicate in this list/);
    const csv = await admin.inject({ url: `/jobs/${jobId}.csv` });
    t.equal(csv.statusCode, 200);
    t.match(String(csv.headers["content-disposition"]), /^attachment/);
    const lines = csv.body.trim().split("\r\n");
    t.equal(lines[0], "line,input,phone_number,outcome,code,reason,message");
    t.equal(lines.length, 8);
    t.match(lines[4], /^4,1-800-FLOWERS,,rejected,INVALID_FORMAT,Invalid format,/);

    const removedEvents = await database.db
      .selectFrom("audit_events")
      .select("phone_number")
      .where("action", "=", "number.remove")
      .execute();
    t.same(
      removedEvents.map((e) => e.phone_number).sort(),
      ["+12133734253", "+12133734254"],
      "one audit event per removed number",
    );

    const again = await admin.inject({
      method: "POST",
      url,
      ...form({ numbers: text, confirm: "yes" }),
    });
    const second = await outcomes(jobIdOf(again.headers.location));
    t.same(
      second.filter((o) => o.outcome === "removed"),
      [],
      "re-running removes nothing more",
    );
    t.equal(await count(), 2);
  },
);

t.test("delete: empty, too many, and not offered at program level or to viewers", async (t) => {
  const { app, admin, database, acme, count } = await setup(t);
  const url = `/businesses/${acme.businessId}/numbers/delete`;
  const empty = await admin.inject({ method: "POST", url, ...form({ numbers: " \n , ; " }) });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, /Enter at least one phone number\./);
  const many = Array.from({ length: 100_001 }, (_, i) => `+1213${String(1000000 + i)}`).join("\n");
  const tooMany = await admin.inject({
    method: "POST",
    url,
    ...form({ numbers: many, confirm: "yes" }),
  });
  t.equal(tooMany.statusCode, 422);
  t.match(tooMany.body, /at most 100,000 numbers; this one has 100,001\. Nothing was changed\./);
  t.equal(await count(), 4);
  t.equal(
    (await admin.inject({ url: `/programs/${acme.programId}/numbers/delete` })).statusCode,
    404,
  );
  const viewer = (
    await userAgent(app, database.db, "v@acme.test", "viewer", `business:${acme.businessId}`)
  ).agent;
  t.equal((await viewer.inject({ url, headers: HTML })).statusCode, 403);
  t.equal(
    (
      await viewer.inject({
        method: "POST",
        url,
        ...form({ numbers: "+12133734253", confirm: "yes" }, HTML),
      })
    ).statusCode,
    403,
  );
  t.equal(await count(), 4);
});

t.test("add: valid numbers land at the level; each rejection has its code", async (t) => {
  const { editor: admin, database, acme, globex, count, outcomes } = await setup(t);
  const { db } = database;
  const survey = String(await callPurposeId(db, "survey"));
  const url = `/programs/${acme.programId}/numbers/add`;
  const page = await admin.inject({ url });
  t.match(
    page.body,
    /<option value="\d+" selected>Customer Service</,
    "the program's default purpose is preselected",
  );

  const text = [
    "+1 213 728 1001",
    "2137281002",
    "(213) 728-1001",
    "+1 555 555 5555",
    "+1 213 373 4253",
    "+1 213 373 4254",
    "+1 213 373 9999",
  ].join("\n");
  const run = await admin.inject({
    method: "POST",
    url,
    ...form({ numbers: text, call_purpose: survey }),
  });
  t.equal(run.statusCode, 303);
  const rows = await outcomes(jobIdOf(run.headers.location));
  t.same(
    rows.map((o) => [o.line, o.outcome, o.code]),
    [
      [1, "added", null],
      [2, "added", null],
      [3, "rejected", "DUPLICATE_IN_LIST"],
      [4, "rejected", "INVALID_FORMAT"],
      [5, "rejected", "ALREADY_HERE"],
      [6, "rejected", "EXISTS_ELSEWHERE"],
      [7, "rejected", "EXISTS_ELSEWHERE"],
    ],
  );
  t.match(
    rows[5]?.message,
    /^It is in ACME Corp › Billing\./,
    "says where when the user may see it",
  );
  t.equal(rows[6]?.message, "It is in a place you cannot see.", "…and nothing more otherwise");
  t.equal(await count(), 6);
  const added = await db
    .selectFrom("phone_numbers")
    .selectAll()
    .where("e164", "=", "+12137281001")
    .executeTakeFirstOrThrow();
  t.same(
    [added.business_id, added.business_unit_id, added.program_id, added.call_purpose_id],
    [acme.businessId, acme.unitId, acme.programId, Number(survey)],
  );
  t.ok(globex.businessId);

  const noPurpose = await admin.inject({
    method: "POST",
    url: `/businesses/${acme.businessId}/numbers/add`,
    ...form({ numbers: "+12137281005" }),
  });
  t.equal(noPurpose.statusCode, 422, "at business level a call purpose must be chosen");
  t.match(noPurpose.body, /Choose a call purpose from the list\./);
  t.equal(await count(), 6);
});

t.test(
  "two overlapping deletes of the same numbers: each number is removed once, no error",
  async (t) => {
    const { editor, database, acme, count, outcomes } = await setup(t);
    for (let i = 0; i < 200; i++) {
      await insertNumber(database.db, `+1213728${String(1000 + i)}`, {
        businessId: acme.businessId,
        unitId: acme.unitId,
      });
    }
    const text = Array.from({ length: 200 }, (_, i) => `+1213728${String(1000 + i)}`).join("\n");
    const url = `/units/${acme.unitId}/numbers/delete`;
    const [a, b] = await Promise.all([
      editor.inject({ method: "POST", url, ...form({ numbers: text, confirm: "yes" }) }),
      editor.inject({ method: "POST", url, ...form({ numbers: text, confirm: "yes" }) }),
    ]);
    t.same([a.statusCode, b.statusCode], [303, 303]);
    const removed = [
      ...(await outcomes(jobIdOf(a.headers.location))),
      ...(await outcomes(jobIdOf(b.headers.location))),
    ].filter((o) => o.outcome === "removed");
    t.equal(removed.length, 200, "200 removals in total, none twice");
    t.equal(new Set(removed.map((o) => o.e164)).size, 200);
    t.equal(await count(), 4);
  },
);

t.test("delete confirmation: Cancel goes back to the form with the list kept", async (t) => {
  const { editor, acme, count } = await setup(t);
  const url = `/units/${acme.unitId}/numbers/delete`;
  const confirm = await editor.inject({
    method: "POST",
    url,
    ...form({ numbers: "+12133734253\n+12133734254" }),
  });
  t.match(confirm.body, /name="confirm" value="yes"/);
  t.match(confirm.body, /name="confirm" value="edit"/);
  const back = await editor.inject({
    method: "POST",
    url,
    ...form({ numbers: "+12133734253\n+12133734254", confirm: "edit" }),
  });
  t.equal(back.statusCode, 200);
  t.match(back.body, /name="numbers" value="\+12133734253"/, "the list is still in the form");
  t.match(back.body, /name="numbers" value="\+12133734254"/);
  t.equal(await count(), 4, "nothing deleted");
});

t.test(
  "delete: numbers written as stored are looked up as written; every code stays the same",
  async (t) => {
    const { editor, database, acme, count, outcomes } = await setup(t);
    const { db } = database;
    await insertNumber(db, "+12133734260", { businessId: acme.businessId, unitId: acme.unitId });
    const url = `/units/${acme.unitId}/numbers/delete`;
    const text = [
      "+12133734253", // stored so, in the unit's program: removed without reading
      "+12133734253", // the same, written the same
      "(213) 373-4253", // the same, written otherwise
      "(213) 373-4254", // read first: removed
      "+12133734254", // then written as stored: the same number
      "+15555555555", // looks stored, is no number
      "+15555555555", // twice: still no number, not a repeat
      "+12133731111", // a valid number, nowhere
      "+12133731111", // the same again
      "+13107284411", // ACME's, at business level: outside this unit
      "+12133739999", // Globex's: must look like it does not exist
    ].join("\n");
    const run = await editor.inject({
      method: "POST",
      url,
      ...form({ numbers: text, confirm: "yes" }),
    });
    t.equal(run.statusCode, 303);
    t.same(
      (await outcomes(jobIdOf(run.headers.location))).map((o) => [o.line, o.outcome, o.code]),
      [
        [1, "removed", null],
        [2, "rejected", "DUPLICATE_IN_LIST"],
        [3, "rejected", "DUPLICATE_IN_LIST"],
        [4, "removed", null],
        [5, "rejected", "DUPLICATE_IN_LIST"],
        [6, "rejected", "INVALID_FORMAT"],
        [7, "rejected", "INVALID_FORMAT"],
        [8, "rejected", "NOT_FOUND"],
        [9, "rejected", "DUPLICATE_IN_LIST"],
        [10, "rejected", "OUTSIDE_LEVEL"],
        [11, "rejected", "NOT_FOUND"],
      ],
    );
    t.equal(await count(), 3, "two removed of five");
  },
);

t.test(
  "a rejection's reason reads once: page, htmx dialog, CSV and JSON say the same",
  async (t) => {
    const { editor, acme } = await setup(t);
    const add = await editor.inject({
      method: "POST",
      url: `/programs/${acme.programId}/numbers/add`,
      ...form({
        numbers: "+1 213 373 4253\n+1 213 373 4254\n+1 213 373 9999\n2133734254",
        call_purpose: "1",
      }),
    });
    const del = await editor.inject({
      method: "POST",
      url: `/units/${acme.unitId}/numbers/delete`,
      ...form({ numbers: "+1 310 728 4411\n+1 213 373 1111", confirm: "yes" }),
    });
    const sentencesOf = (html: string) =>
      [
        ...html.matchAll(
          /<td class="num">(\d+)<\/td><td><bdi>[^<]*<\/bdi><\/td><td>([^<]*)<\/td><td><code>([A-Z_]+)<\/code>/g,
        ),
      ].map((m) => [Number(m[1]), m[3], m[2]]);
    const expected = {
      add: [
        [1, "ALREADY_HERE", /^Already here: It is in ACME Corp › Billing › [^:]+\.$/],
        [2, "EXISTS_ELSEWHERE", /^Exists elsewhere: It is in ACME Corp › Billing\.$/],
        [3, "EXISTS_ELSEWHERE", /^Exists elsewhere: It is in a place you cannot see\.$/],
        [4, "DUPLICATE_IN_LIST", /^Duplicate in this list: The same number as entry 2\.$/],
      ],
      delete: [
        [
          1,
          "OUTSIDE_LEVEL",
          /^Outside this level: It is in ACME Corp, not in ACME Corp › Billing\.$/,
        ],
        [2, "NOT_FOUND", /^Not found among the numbers you can see\.$/],
      ],
    };
    for (const [kind, run] of [
      ["add", add],
      ["delete", del],
    ] as const) {
      const job = `/jobs/${jobIdOf(run.headers.location)}`;
      const want = expected[kind];
      const page = sentencesOf((await editor.inject({ url: job, headers: HTML })).body);
      const dialog = sentencesOf(
        (await editor.inject({ url: job, headers: { "hx-request": "true" } })).body,
      );
      const sentence = (rows: Array<[number, string, string]>, line: number) =>
        rows.find(([l]) => l === line);
      for (const [line, code, words] of want) {
        const shown = sentence(page as Array<[number, string, string]>, line as number);
        t.equal(shown?.[1], code, `${kind} line ${line}: ${code}`);
        t.match(shown?.[2], words as RegExp, `${kind} line ${line} reads once on /jobs/:id`);
        t.same(
          sentence(dialog as Array<[number, string, string]>, line as number),
          shown,
          "the dialog says the same",
        );
      }
      // The CSV and JSON carry the reason and the message apart: the message adds to the reason.
      const json = JSON.parse(
        (await editor.inject({ url: job, headers: { accept: "application/json" } })).body,
      ) as { outcomes: Array<{ line: number; code: string; reason: string; message: string }> };
      const csv = (await editor.inject({ url: `${job}.csv` })).body.trim().split("\n").slice(1);
      for (const [line] of want) {
        const o = json.outcomes.find((x) => x.line === line);
        const shown = sentence(page as Array<[number, string, string]>, line as number)?.[2];
        t.equal(
          o?.message.startsWith(o.reason) ? o.message : `${o?.reason}: ${o?.message}`,
          shown,
          `${kind} line ${line}: JSON's reason and message make the page's sentence`,
        );
        t.notMatch(
          o?.message,
          new RegExp(`^${o?.reason.split(" ")[0]}\\b(?! found)`, "i"),
          "the message does not start by saying the reason again",
        );
        const cells = csv.find((row) => row.startsWith(`${line},`));
        t.ok(
          cells?.includes(`,${o?.reason},`) && cells.includes(o?.message ?? "?"),
          "the CSV has both",
        );
      }
    }
  },
);
