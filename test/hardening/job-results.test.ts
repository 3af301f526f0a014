/**
 * Item 2 (existence not revealed), for the readers of a run: a run is visible to everyone who
 * sees its level, but its messages were written for its author. A reader with a narrower scope
 * must not learn from them where numbers outside their scope are.
 */
import t from "tap";
import { form } from "../helpers/app.js";
import { callPurposeId, insertNumber } from "../helpers/fixtures.js";
import { buildTwoTenants, jobIdOf } from "../helpers/tenants.js";
import { userAgent } from "../helpers/users.js";

const HTML = { accept: "text/html" };

t.test(
  "a run's result read by a narrower scope names no place outside it (OUTSIDE_LEVEL → NOT_FOUND)",
  async (t) => {
    const { app, admin, database, acme, globex } = await buildTwoTenants(t);
    const { db } = database;
    const sales = await admin.inject({
      method: "POST",
      url: `/businesses/${acme.businessId}/units/new`,
      ...form({ name: "Sales" }),
    });
    t.equal(sales.statusCode, 303);
    const salesId = (
      await db
        .selectFrom("business_units")
        .select("id")
        .where("name", "=", "Sales")
        .executeTakeFirstOrThrow()
    ).id;
    await insertNumber(db, "+12137281001", { businessId: acme.businessId, unitId: salesId });
    await insertNumber(db, "+12137281002", { businessId: globex.businessId });
    await insertNumber(db, "+12137281003", { businessId: acme.businessId, unitId: acme.unitId });
    const billingAdmin = (await userAgent(app, db, "ua@acme.test", "admin", `unit:${acme.unitId}`))
      .agent;
    const numbers = "+12137281001\n+12137281002\n+12137281003";

    // The portal admin deletes at ACME › Billing: Sales' and Globex's numbers are OUTSIDE_LEVEL.
    const del = await admin.inject({
      method: "POST",
      url: `/units/${acme.unitId}/numbers/delete`,
      ...form({ numbers, confirm: "yes" }),
    });
    const delJob = jobIdOf(del.headers.location);
    const own = await admin.inject({ url: `/jobs/${delJob}.csv` });
    t.match(own.body, /OUTSIDE_LEVEL,.*Sales/, "the author is told where");
    t.match(own.body, /OUTSIDE_LEVEL,.*Globex/);
    for (const url of [`/jobs/${delJob}`, `/jobs/${delJob}.csv`]) {
      const res = await billingAdmin.inject({ url, headers: HTML });
      t.equal(res.statusCode, 200, `${url}: the unit's admin sees the run at their unit`);
      t.notMatch(res.body, /Sales|Globex/, `${url}: no place outside their scope`);
      t.notMatch(res.body, /OUTSIDE_LEVEL|Outside this level/, `${url}: nor that it exists`);
    }
    const csv = (await billingAdmin.inject({ url: `/jobs/${delJob}.csv` })).body;
    t.match(
      csv,
      /\+12137281001,rejected,NOT_FOUND,Not found,Not found among the numbers you can see\./,
    );
    t.match(csv, /\+12137281003,removed,/, "what the run did is the same for everyone");

    // The same for an add run: EXISTS_ELSEWHERE keeps its code but not the place.
    const add = await admin.inject({
      method: "POST",
      url: `/units/${acme.unitId}/numbers/add`,
      ...form({ numbers, call_purpose: String(await callPurposeId(db, "survey")) }),
    });
    const addJob = jobIdOf(add.headers.location);
    t.match(
      (await admin.inject({ url: `/jobs/${addJob}.csv` })).body,
      /It is in ACME Corp › Sales/,
    );
    const read = await billingAdmin.inject({ url: `/jobs/${addJob}`, headers: HTML });
    t.notMatch(read.body, /Sales|Globex/);
    t.match(read.body, /Exists elsewhere: It is in a place you cannot see\./);
    t.notMatch(read.body, /aria-label="Move \+12137281001 here"/, "no Move here for them either");
  },
);
