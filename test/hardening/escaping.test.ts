/**
 * Items 24 and 26 beyond the dashboard: a display name with markup is shown escaped on
 * Recently Removed, Activity, the programs pages and View Assignments' history; filters
 * typed as SQL are matched literally.
 */
import t from "tap";
import { form, HX } from "../helpers/app.js";
import { insertNumber, numberId } from "../helpers/fixtures.js";
import { buildTwoTenants } from "../helpers/tenants.js";

const EVIL = "<img src=x onerror=alert(1)>";

t.test("item 24: a display name is escaped on every page and dialog that shows it", async (t) => {
  const { admin, database, acme } = await buildTwoTenants(t);
  const { db } = database;
  await db
    .updateTable("programs")
    .set({ display_name: EVIL })
    .where("id", "=", acme.programId)
    .execute();
  await insertNumber(db, "+12133734253", {
    businessId: acme.businessId,
    unitId: acme.unitId,
    programId: acme.programId,
  });
  await insertNumber(db, "+12133734254", {
    businessId: acme.businessId,
    unitId: acme.unitId,
    programId: acme.programId,
  });
  const idOf = (e164: string) => numberId(db, e164);
  const kept = await idOf("+12133734254");
  // A removal records the display name in its summary ("no longer displays …").
  const removed = await admin.inject({
    method: "POST",
    url: `/numbers/${await idOf("+12133734253")}/remove`,
    ...form({}),
  });
  t.equal(removed.statusCode, 303);
  for (const url of [
    `/units/${acme.unitId}/numbers/removed`,
    `/businesses/${acme.businessId}/activity`,
    `/units/${acme.unitId}/programs`,
    `/programs/${acme.programId}/details`,
    `/programs/${acme.programId}/edit`,
    `/numbers/${kept}/assignments`,
    `/numbers/${kept}/remove`,
  ]) {
    for (const headers of [{}, HX]) {
      const res = await admin.inject({ url, headers });
      t.equal(res.statusCode, 200, url);
      t.notMatch(res.body, /<img src=x/, `${url} ${headers === HX ? "(dialog)" : ""}`);
      t.match(res.body, /&lt;img src=x onerror=alert\(1\)&gt;/, `${url}: shown, as text`);
    }
  }
});

t.test("item 26: Activity filters typed as SQL are taken literally", async (t) => {
  const { admin, acme } = await buildTwoTenants(t);
  const base = `/businesses/${acme.businessId}/activity`;
  const all = await admin.inject({ url: base });
  t.match(all.body, /Program created/, "there are events to leak");
  const rows = (body: string) => body.match(/<tr><td><time /g)?.length ?? 0;
  t.ok(rows(all.body) > 0, "the unfiltered log has rows to count");
  for (const field of ["user", "number", "action", "from", "to"]) {
    const res = await admin.inject({
      url: `${base}?${field}=${encodeURIComponent("' OR 1=1--")}`,
    });
    t.equal(res.statusCode, 200, `${field}: answered, no error`);
    if (field === "user" || field === "number") {
      t.equal(rows(res.body), 0, `${field}: matched literally, so nothing`);
    } else {
      // Not an action or a date: the filter is ignored (as unknown dashboard filters are).
      t.equal(rows(res.body), rows(all.body), `${field}: ignored, never run`);
    }
  }
  const csv = await admin.inject({
    url: `${base}.csv?user=${encodeURIComponent("x' OR '1'='1")}`,
  });
  t.equal(csv.statusCode, 200);
  t.equal(csv.body.trim().split("\r\n").length, 1, "the CSV has its header only");
});
