/**
 * Items 3, 4 and 7 for the number forms: the URL decides where numbers go; hidden fields a
 * user edits, repeated fields and extra fields never move anything elsewhere; and no GET
 * changes anything, whatever its query string says.
 */
import t, { type Test } from "tap";
import { form } from "../helpers/app.js";
import { callPurposeId, insertNumber } from "../helpers/fixtures.js";
import { buildRunGround, jobIdOf } from "../helpers/tenants.js";
import { userAgent } from "../helpers/users.js";

const HTML = { accept: "text/html" };

async function setup(t: Test) {
  const ground = await buildRunGround(t);
  const { db } = ground.database;
  /** Every number with its place, to show that a refused request wrote nothing. */
  const numbers = () =>
    db
      .selectFrom("phone_numbers")
      .select(["e164", "business_id", "business_unit_id", "program_id", "call_purpose_id"])
      .orderBy("e164")
      .execute();
  const count = async (table: "jobs" | "audit_events") =>
    (await db.selectFrom(table).select("id").execute()).length;
  return { ...ground, db, numbers, count };
}

t.test(
  "item 3: add with tampered business_id/unit_id/program_id lands at the URL's level",
  async (t) => {
    const { editor, db, acme, globex } = await setup(t);
    const survey = String(await callPurposeId(db, "survey"));
    const res = await editor.inject({
      method: "POST",
      url: `/units/${acme.unitId}/numbers/add`,
      ...form(
        {
          numbers: "+12137285001",
          call_purpose: survey,
          business_id: String(globex.businessId),
          unit_id: String(globex.unitId),
          program_id: String(globex.programId),
          level_id: String(globex.unitId),
        },
        HTML,
      ),
    });
    t.equal(res.statusCode, 303);
    const row = await db
      .selectFrom("phone_numbers")
      .selectAll()
      .where("e164", "=", "+12137285001")
      .executeTakeFirstOrThrow();
    t.same(
      [row.business_id, row.business_unit_id, row.program_id],
      [acme.businessId, acme.unitId, null],
      "the hidden fields were ignored, never applied",
    );
  },
);

t.test("item 3: add at another tenant's level, by URL, is a 404 and writes nothing", async (t) => {
  const { editor, db, globex, numbers, count } = await setup(t);
  const before = { numbers: await numbers(), jobs: await count("jobs") };
  for (const url of [
    `/businesses/${globex.businessId}/numbers/add`,
    `/units/${globex.unitId}/numbers/add`,
    `/programs/${globex.programId}/numbers/add`,
  ]) {
    const res = await editor.inject({
      method: "POST",
      url,
      ...form(
        { numbers: "+12137285002", call_purpose: String(await callPurposeId(db, "survey")) },
        HTML,
      ),
    });
    t.equal(res.statusCode, 404, url);
  }
  t.same(await numbers(), before.numbers, "no number written");
  t.equal(await count("jobs"), before.jobs, "no run recorded");
});

t.test(
  "item 3: Move here moves only what the run found and the mover may see, to the run's place",
  async (t) => {
    const { app, editor, db, acme, globex, numbers, count } = await setup(t);
    // ACME's editor adds, at the program, a number held at ACME's unit: EXISTS_ELSEWHERE.
    const run = await editor.inject({
      method: "POST",
      url: `/programs/${acme.programId}/numbers/add`,
      ...form({ numbers: "+12133734254" }, HTML),
    });
    const job = jobIdOf(run.headers.location);
    const before = { numbers: await numbers(), audit: await count("audit_events") };

    // A number the run never named, and Globex's number, smuggled into the form.
    const smuggled = await editor.inject({
      method: "POST",
      url: `/jobs/${job}/move`,
      ...form(
        [
          ["numbers", "+13107284411"],
          ["numbers", "+12133739999"],
          ["program_id", String(globex.programId)],
          ["unit_id", String(globex.unitId)],
        ],
        HTML,
      ),
    });
    t.equal(smuggled.statusCode, 303);
    t.same(await numbers(), before.numbers, "nothing moved");
    t.equal(await count("audit_events"), before.audit, "nothing audited as moved");

    // Globex's run is not there for ACME's editor at all.
    const { agent: globexEditor } = await userAgent(
      app,
      db,
      "ed@globex.test",
      "editor",
      `business:${globex.businessId}`,
    );
    await insertNumber(db, "+12137285003", { businessId: acme.businessId });
    const theirs = await globexEditor.inject({
      method: "POST",
      url: `/programs/${globex.programId}/numbers/add`,
      ...form({ numbers: "+12137285003" }, HTML),
    });
    const theirJob = jobIdOf(theirs.headers.location);
    const foreign = await editor.inject({
      method: "POST",
      url: `/jobs/${theirJob}/move`,
      ...form({ numbers: "all" }, HTML),
    });
    t.equal(foreign.statusCode, 404, "another tenant's run does not exist");
    const stolen = await globexEditor.inject({
      method: "POST",
      url: `/jobs/${theirJob}/move`,
      ...form({ numbers: "all" }, HTML),
    });
    t.equal(stolen.statusCode, 303);
    const acmeNumber = await db
      .selectFrom("phone_numbers")
      .select(["business_id", "program_id"])
      .where("e164", "=", "+12137285003")
      .executeTakeFirstOrThrow();
    t.same(
      [acmeNumber.business_id, acmeNumber.program_id],
      [acme.businessId, null],
      "Globex cannot pull ACME's number into its program through its own run",
    );

    // The real one still moves, to the run's place and nowhere else.
    const moved = await editor.inject({
      method: "POST",
      url: `/jobs/${job}/move`,
      ...form({ numbers: "+12133734254" }, HTML),
    });
    t.equal(moved.statusCode, 303);
    const row = await db
      .selectFrom("phone_numbers")
      .select(["business_id", "business_unit_id", "program_id"])
      .where("e164", "=", "+12133734254")
      .executeTakeFirstOrThrow();
    t.same(
      [row.business_id, row.business_unit_id, row.program_id],
      [acme.businessId, acme.unitId, acme.programId],
    );
  },
);

t.test(
  "item 4: repeated fields on the number forms are a 400 or one value, never both",
  async (t) => {
    const { editor, db, acme, numbers } = await setup(t);
    const survey = String(await callPurposeId(db, "survey"));
    const charity = String(await callPurposeId(db, "charity"));
    const before = await numbers();
    const purpose = await editor.inject({
      method: "POST",
      url: `/units/${acme.unitId}/numbers/add`,
      ...form(
        [
          ["numbers", "+12137285004"],
          ["call_purpose", survey],
          ["call_purpose", charity],
        ],
        HTML,
      ),
    });
    t.equal(purpose.statusCode, 400, "two call purposes: which one? refused");
    t.same(await numbers(), before, "nothing written");

    const id = (
      await db
        .selectFrom("phone_numbers")
        .select("id")
        .where("e164", "=", "+12133734253")
        .executeTakeFirstOrThrow()
    ).id;
    const edit = await editor.inject({
      method: "POST",
      url: `/numbers/${id}/edit`,
      ...form(
        [
          ["call_purpose", survey],
          ["call_purpose", charity],
        ],
        HTML,
      ),
    });
    t.equal(edit.statusCode, 400);
    t.same(await numbers(), before, "the purpose is unchanged");

    const role = await editor.inject({
      method: "POST",
      url: `/numbers/${id}/edit`,
      ...form(
        { call_purpose: survey, role: "admin", business_id: "999", e164: "+19999999999" },
        HTML,
      ),
    });
    t.equal(role.statusCode, 303, "extra fields are ignored");
    const row = await db
      .selectFrom("phone_numbers")
      .select(["e164", "business_id", "call_purpose_id"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    t.same(
      [row.e164, row.business_id, row.call_purpose_id],
      ["+12133734253", acme.businessId, Number(survey)],
    );
    const me = await db
      .selectFrom("users")
      .select("role")
      .where("email", "=", "ed@acme.test")
      .executeTakeFirstOrThrow();
    t.equal(me.role, "editor", "role=admin in a form is never applied");
  },
);

t.test("item 7: no GET changes numbers, runs, removals or sessions", async (t) => {
  const { editor, admin, db, acme, numbers, count } = await setup(t);
  const id = (
    await db
      .selectFrom("phone_numbers")
      .select("id")
      .where("e164", "=", "+12133734253")
      .executeTakeFirstOrThrow()
  ).id;
  // One delete run, so there is a job to undo and a removal to restore.
  const run = await editor.inject({
    method: "POST",
    url: `/units/${acme.unitId}/numbers/delete`,
    ...form({ numbers: "+12133734254", confirm: "yes" }, HTML),
  });
  const job = jobIdOf(run.headers.location);
  const removal = (
    await db
      .selectFrom("audit_events")
      .select("id")
      .where("action", "=", "number.remove")
      .executeTakeFirstOrThrow()
  ).id;
  const before = {
    numbers: await numbers(),
    jobs: await count("jobs"),
    audit: await count("audit_events"),
  };
  const sessions = (await db.selectFrom("sessions").select("id").execute()).length;

  const gets: Array<[string, number[]]> = [
    [`/units/${acme.unitId}/numbers/delete?numbers=%2B12133734253&confirm=yes`, [200]],
    [`/businesses/${acme.businessId}/numbers/add?numbers=%2B12137285005&call_purpose=1`, [200]],
    [`/numbers/${id}/remove?confirm=yes`, [200]],
    [`/numbers/${id}/edit?call_purpose=2`, [200]],
    [`/jobs/${job}/undo`, [404, 405]],
    [`/jobs/${job}/move?numbers=all`, [404, 405]],
    [`/removed/${removal}/restore`, [404, 405]],
    ["/removed/restore?ids=1", [404, 405]],
    ["/account/sessions/end-others", [404, 405]],
    ["/logout", [404, 405]],
  ];
  for (const [url, allowed] of gets) {
    const res = await editor.inject({ url, headers: HTML });
    t.ok(allowed.includes(res.statusCode), `GET ${url} → ${res.statusCode}`);
  }
  const adminOnly = await admin.inject({ url: "/businesses/1/delete?confirm=yes", headers: HTML });
  t.equal(adminOnly.statusCode, 200, "the delete page is a question, not a deletion");
  t.same(await numbers(), before.numbers, "no number changed");
  t.equal(await count("jobs"), before.jobs, "no run made");
  t.equal(await count("audit_events"), before.audit, "nothing audited");
  t.equal(
    (await db.selectFrom("sessions").select("id").execute()).length,
    sessions,
    "sessions kept",
  );
  t.equal(
    (await db.selectFrom("businesses").select("id").execute()).length,
    2,
    "no business deleted",
  );
});
