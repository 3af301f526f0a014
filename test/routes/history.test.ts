import t, { type Test } from "tap";
import { form, HX } from "../helpers/app.js";
import { insertNumber, numberId } from "../helpers/fixtures.js";
import { buildTwoTenants } from "../helpers/tenants.js";
import { userAgent } from "../helpers/users.js";

async function setup(t: Test) {
  const built = await buildTwoTenants(t);
  const { db } = built.database;
  const { acme, globex } = built;
  await insertNumber(db, "+12133734253", {
    businessId: acme.businessId,
    unitId: acme.unitId,
    programId: acme.programId,
  });
  await insertNumber(db, "+12133734254", { businessId: acme.businessId, unitId: acme.unitId });
  await insertNumber(db, "+12133739999", { businessId: globex.businessId });
  const idOf = (e164: string) => numberId(db, e164);
  const removalOf = async (e164: string) =>
    (
      await db
        .selectFrom("audit_events")
        .select("id")
        .where("action", "=", "number.remove")
        .where("phone_number", "=", e164)
        .orderBy("id", "desc")
        .executeTakeFirstOrThrow()
    ).id;
  return { ...built, acme, globex, idOf, removalOf };
}

t.test("Recently Removed lists removals; Restore puts a number back where it was", async (t) => {
  const { admin, database, acme, idOf, removalOf } = await setup(t);
  const id = await idOf("+12133734253");
  t.equal(
    (await admin.inject({ method: "POST", url: `/numbers/${id}/remove`, ...form({}) })).statusCode,
    303,
  );
  const list = await admin.inject({ url: `/units/${acme.unitId}/numbers/removed` });
  t.equal(list.statusCode, 200);
  t.match(list.body, /\(213\) 373-4253/);
  t.match(list.body, /Removed \(213\) 373-4253; it no longer displays ACME Billing/);
  t.match(list.body, /aria-label="Restore \(213\) 373-4253"/);

  const removal = await removalOf("+12133734253");
  const restored = await admin.inject({
    method: "POST",
    url: `/removed/${removal}/restore`,
    ...form({ return_to: `/units/${acme.unitId}/numbers/removed` }, HX),
  });
  t.equal(restored.statusCode, 200);
  t.match(restored.body, /Restored \(213\) 373-4253 where it was\./);
  const back = await database.db
    .selectFrom("phone_numbers")
    .selectAll()
    .where("e164", "=", "+12133734253")
    .executeTakeFirstOrThrow();
  t.same(
    [back.business_id, back.business_unit_id, back.program_id],
    [acme.businessId, acme.unitId, acme.programId],
  );
  t.equal(back.id, id, "back under its old id: saved /numbers/{id} links work again");
  t.equal((await admin.inject({ url: `/numbers/${id}/assignments` })).statusCode, 200);
  const again = await admin.inject({
    method: "POST",
    url: `/removed/${removal}/restore`,
    ...form({}, HX),
  });
  t.equal(again.statusCode, 409);
  t.match(again.body, /restored already/);
  const plainAgain = await admin.inject({
    method: "POST",
    url: `/removed/${removal}/restore`,
    ...form({ return_to: `/units/${acme.unitId}/numbers/removed` }),
  });
  t.equal(plainAgain.statusCode, 303, "without JavaScript the refusal comes back as a message");
  const listed = await admin.inject({ url: `/units/${acme.unitId}/numbers/removed` });
  t.match(listed.body, />Restored</);
});

t.test("a restored number takes a new id only when its old one is taken", async (t) => {
  const { admin, database, acme, idOf, removalOf } = await setup(t);
  const id = await idOf("+12133734254");
  await admin.inject({ method: "POST", url: `/numbers/${id}/remove`, ...form({}) });
  // Ids are never handed out twice (AUTOINCREMENT); a row written with that id by hand is
  // the only way it is taken, and the restore must not fail on it.
  await database.db
    .insertInto("phone_numbers")
    .values({
      id,
      e164: "+12133734255",
      business_id: acme.businessId,
      business_unit_id: null,
      program_id: null,
      call_purpose_id: 1,
      created_at: "2026-01-01T00:00:00.000Z",
      updated_at: "2026-01-01T00:00:00.000Z",
    })
    .execute();
  const restored = await admin.inject({
    method: "POST",
    url: `/removed/${await removalOf("+12133734254")}/restore`,
    ...form({}, HX),
  });
  t.equal(restored.statusCode, 200);
  const back = await idOf("+12133734254");
  t.not(back, id, "a new id, the old one being taken");
  t.ok(back > id);
});

t.test("a number added again since cannot be restored", async (t) => {
  const { admin, database, acme, globex, idOf, removalOf } = await setup(t);
  const id = await idOf("+12133734254");
  await admin.inject({ method: "POST", url: `/numbers/${id}/remove`, ...form({}) });
  await insertNumber(database.db, "+12133734254", { businessId: globex.businessId });
  const refused = await admin.inject({
    method: "POST",
    url: `/removed/${await removalOf("+12133734254")}/restore`,
    ...form({}, HX),
  });
  t.equal(refused.statusCode, 409);
  t.match(refused.body, /has since been added again/);
  const list = await admin.inject({ url: `/businesses/${acme.businessId}/numbers/removed` });
  t.match(list.body, /In the portal again/);
});

t.test("Undo of a delete run restores what it removed", async (t) => {
  const { admin, database, acme, idOf } = await setup(t);
  const idsBefore = [await idOf("+12133734253"), await idOf("+12133734254")];
  const run = await admin.inject({
    method: "POST",
    url: `/units/${acme.unitId}/numbers/delete`,
    ...form({ numbers: "+12133734253\n+12133734254\nnot a number", confirm: "yes" }),
  });
  const job = String(run.headers.location);
  const page = await admin.inject({ url: job });
  t.match(page.body, />Undo</);
  t.equal((await database.db.selectFrom("phone_numbers").select("id").execute()).length, 1);
  const undone = await admin.inject({ method: "POST", url: `${job}/undo` });
  t.equal(undone.statusCode, 303);
  t.equal(undone.headers.location, job);
  t.equal(
    (await database.db.selectFrom("phone_numbers").select("id").execute()).length,
    3,
    "both back",
  );
  t.same(
    [await idOf("+12133734253"), await idOf("+12133734254")],
    idsBefore,
    "each under its old id",
  );
  const after = await admin.inject({ url: job });
  t.match(
    after.body,
    /Undone on <time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d<\/time> by <bdi>admin@example\.test<\/bdi>/,
    "the result says it was undone, when and by whom",
  );
  t.notMatch(after.body, />Undo</, "no Undo any more");
  const twice = await admin.inject({ method: "POST", url: `${job}/undo`, ...form({}, HX) });
  t.equal(twice.statusCode, 409, "a second Undo is refused");
  t.match(
    twice.body,
    /This run was already undone on \d{4}-\d\d-\d\d \d\d:\d\d UTC by admin@example\.test\./,
  );
  t.notMatch(twice.body, /<html/, "htmx gets the message alone, for the page's flash");
  const plain = await admin.inject({ method: "POST", url: `${job}/undo`, ...form({}) });
  t.equal(plain.statusCode, 409, "without JavaScript a second Undo is refused too");
  t.match(plain.body, /<h1 id="dialog-title">Delete run #\d+/, "on the job's own page");
  t.match(
    plain.body,
    /<p class="notice notice-error" role="alert" id="job-refusal">This run was already undone on \d{4}-\d\d-\d\d \d\d:\d\d UTC by admin@example\.test\.<\/p>/,
    "saying why, in the result's error area",
  );
  t.match(plain.body, /id="job-undone"/, "the result shows the run as undone");
  t.notMatch(plain.body, />Undo</, "with no Undo button");
  t.match(plain.body, new RegExp(`href="/units/${acme.unitId}/numbers"`), "at the job's level");
  const json = await admin.inject({
    method: "POST",
    url: `${job}/undo`,
    ...form({}, { accept: "application/json" }),
  });
  t.equal(json.statusCode, 409);
  t.match(JSON.parse(json.body).message, /already undone on .* by admin@example\.test/);
  t.equal(
    (await database.db.selectFrom("phone_numbers").select("id").execute()).length,
    3,
    "nothing changed",
  );
});

t.test(
  "access: removals and undo of other tenants do not exist; viewers cannot restore",
  async (t) => {
    const { app, admin, database, acme, globex, idOf, removalOf } = await setup(t);
    await admin.inject({
      method: "POST",
      url: `/numbers/${await idOf("+12133739999")}/remove`,
      ...form({}),
    });
    await admin.inject({
      method: "POST",
      url: `/numbers/${await idOf("+12133734254")}/remove`,
      ...form({}),
    });
    const editor = (
      await userAgent(app, database.db, "ed@acme.test", "editor", `business:${acme.businessId}`)
    ).agent;
    const viewer = (
      await userAgent(app, database.db, "vi@acme.test", "viewer", `business:${acme.businessId}`)
    ).agent;
    t.equal(
      (
        await editor.inject({
          method: "POST",
          url: `/removed/${await removalOf("+12133739999")}/restore`,
          ...form({}),
        })
      ).statusCode,
      404,
    );
    t.equal(
      (
        await editor.inject({
          url: `/businesses/${globex.businessId}/numbers/removed`,
          headers: { accept: "text/html" },
        })
      ).statusCode,
      404,
    );
    t.equal(
      (
        await viewer.inject({
          method: "POST",
          url: `/removed/${await removalOf("+12133734254")}/restore`,
          ...form({}),
        })
      ).statusCode,
      403,
    );
    const view = await viewer.inject({ url: `/businesses/${acme.businessId}/numbers/removed` });
    t.equal(view.statusCode, 200);
    t.notMatch(view.body, /aria-label="Restore/, "no Restore button for a viewer");
    t.notMatch(view.body, /373-9999/, "another tenant's removals are not listed");
  },
);

t.test("Activity: the level's log, filtered and exported", async (t) => {
  const { admin, acme, idOf } = await setup(t);
  await admin.inject({
    method: "POST",
    url: `/numbers/${await idOf("+12133734253")}/remove`,
    ...form({}),
  });
  const all = await admin.inject({ url: `/businesses/${acme.businessId}/activity` });
  t.equal(all.statusCode, 200);
  t.match(all.body, /<td>Number removed<\/td>/, "actions in words");
  t.notMatch(all.body, /<td>number\.remove<\/td>|<code>/, "not as codes");
  t.match(
    all.body,
    /<abbr title="\+12133734253">\(213\) 373-4253<\/abbr>/,
    "the number in the format the summary uses",
  );
  t.equal(all.body.match(/<td>Program created<\/td>/g)?.length, 1, "only this business's events");
  const json = await admin.inject({
    url: `/businesses/${acme.businessId}/activity`,
    headers: { accept: "application/json" },
  });
  t.ok(
    json.json().events.some((e: { action: string }) => e.action === "number.remove"),
    "JSON keeps the codes",
  );
  const removals = await admin.inject({
    url: `/businesses/${acme.businessId}/activity?action=number.remove&number=${encodeURIComponent("(213) 373")}`,
  });
  t.match(removals.body, /1–1 of 1/);
  const nobody = await admin.inject({
    url: `/businesses/${acme.businessId}/activity?user=nobody@example.test`,
  });
  t.match(nobody.body, /No events/);
  const future = await admin.inject({
    url: `/businesses/${acme.businessId}/activity?from=2999-01-01`,
  });
  t.match(future.body, /No events/);
  const csv = await admin.inject({
    url: `/businesses/${acme.businessId}/activity.csv?action=number.remove`,
  });
  t.equal(csv.statusCode, 200);
  t.match(String(csv.headers["content-disposition"]), /^attachment/);
  const lines = csv.body.trim().split("\r\n");
  t.equal(lines[0], "occurred_at,user,action,phone_number,summary,before,after,api_token");
  t.equal(lines.length, 2);
  t.match(lines[1], /number\.remove,\+12133734253,/, "the number is clean E.164");
});

t.test("Move here: an add run's numbers found elsewhere can be moved to its place", async (t) => {
  const { app, admin, database, acme, globex } = await setup(t);
  const editor = (
    await userAgent(app, database.db, "ed2@acme.test", "editor", `business:${acme.businessId}`)
  ).agent;
  const run = await editor.inject({
    method: "POST",
    url: `/programs/${acme.programId}/numbers/add`,
    ...form({ numbers: "+12133734254\n+12133739999" }),
  });
  const job = String(run.headers.location);
  const moved = await editor.inject({
    method: "POST",
    url: `${job}/move`,
    ...form([
      ["numbers", "+12133734254"],
      ["numbers", "+12133739999"],
    ]),
  });
  t.equal(moved.statusCode, 303);
  const rows = await database.db
    .selectFrom("phone_numbers")
    .selectAll()
    .where("e164", "in", ["+12133734254", "+12133739999"])
    .orderBy("e164")
    .execute();
  t.same(
    rows.map((r) => r.program_id),
    [acme.programId, null],
    "the visible one moved; Globex's is untouched",
  );
  t.equal(rows[1]?.business_id, globex.businessId);
  const event = await database.db
    .selectFrom("audit_events")
    .selectAll()
    .where("action", "=", "number.move")
    .executeTakeFirstOrThrow();
  t.match(JSON.parse(String(event.before_json)), {
    business_unit_id: acme.unitId,
    program_id: null,
  });
  const again = await admin.inject({
    method: "POST",
    url: `${job}/move`,
    ...form({ numbers: "all" }, HX),
  });
  t.match(again.body, /Moved 1 number to/, "the portal admin may move the other one");
});

t.test("the add result offers Move here only for numbers the user may see", async (t) => {
  const { app, database, acme } = await setup(t);
  const editor = (
    await userAgent(app, database.db, "ed3@acme.test", "editor", `business:${acme.businessId}`)
  ).agent;
  const run = await editor.inject({
    method: "POST",
    url: `/programs/${acme.programId}/numbers/add`,
    ...form({ numbers: "+12133734254\n+12133739999" }),
  });
  const page = await editor.inject({ url: String(run.headers.location) });
  t.match(page.body, /aria-label="Move \+12133734254 here"/);
  t.notMatch(page.body, /aria-label="Move \+12133739999 here"/, "not another tenant's");
});

t.test(
  "Restore selected: several at once; the ones that cannot come back are counted",
  async (t) => {
    const { admin, database, acme, globex, idOf, removalOf } = await setup(t);
    for (const e164 of ["+12133734253", "+12133734254"]) {
      await admin.inject({
        method: "POST",
        url: `/numbers/${await idOf(e164)}/remove`,
        ...form({}),
      });
    }
    await insertNumber(database.db, "+12133734254", { businessId: globex.businessId });
    const page = await admin.inject({ url: `/units/${acme.unitId}/numbers/removed` });
    t.match(page.body, /<form id="restore-selected"/);
    t.match(page.body, /form="restore-selected" aria-label="Select \(213\) 373-4253"/);
    t.notMatch(
      page.body,
      /aria-label="Select \(213\) 373-4254"/,
      "not selectable once it is back elsewhere",
    );
    const res = await admin.inject({
      method: "POST",
      url: "/removed/restore",
      ...form(
        [
          ["ids", String(await removalOf("+12133734253"))],
          ["ids", String(await removalOf("+12133734254"))],
          ["return_to", `/units/${acme.unitId}/numbers/removed`],
        ],
        HX,
      ),
    });
    t.equal(res.statusCode, 200);
    t.match(
      res.body,
      /Restored 1; 1 could not come back: \(213\) 373-4254 has since been added again/,
    );
    const none = await admin.inject({
      method: "POST",
      url: "/removed/restore",
      ...form({ return_to: "/" }),
    });
    t.equal(none.statusCode, 303, "nothing selected: back with a message");
    const bad = await admin.inject({
      method: "POST",
      url: "/removed/restore",
      ...form({ ids: "1 OR 1=1" }),
    });
    t.equal(bad.statusCode, 400);
  },
);
