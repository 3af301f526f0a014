/**
 * Settings "CSV out" (and item 25 beyond display names): every cell a spreadsheet could run
 * as a formula is prefixed with ', in the dashboard export and in a run's result, and the
 * answers are attachments.
 */
import t from "tap";
import { csvCell } from "../../src/domain/csv.js";
import { form } from "../helpers/app.js";
import { insertNumber } from "../helpers/fixtures.js";
import { buildTwoTenants, jobIdOf } from "../helpers/tenants.js";
import { csvRecords } from "../properties/ground.js";

t.test("a cell starting with CR is prefixed too (the other five are in domain/)", async (t) => {
  t.match(csvCell("\r=1+1"), /^"?'\r=1\+1/);
  t.match(csvCell("\r"), /^"?'\r/);
});

t.test("every name column of the export is formula-safe", async (t) => {
  const { admin, database, acme } = await buildTwoTenants(t);
  const { db } = database;
  await db
    .updateTable("businesses")
    .set({ name: "=cmd|' /C calc'!A0" })
    .where("id", "=", acme.businessId)
    .execute();
  await db
    .updateTable("business_units")
    .set({ name: "@SUM(1+1)" })
    .where("id", "=", acme.unitId)
    .execute();
  await db
    .updateTable("programs")
    .set({ name: "+Promo", display_name: "-Promo" })
    .where("id", "=", acme.programId)
    .execute();
  await insertNumber(db, "+12133734253", {
    businessId: acme.businessId,
    unitId: acme.unitId,
    programId: acme.programId,
  });
  const res = await admin.inject({ url: `/businesses/${acme.businessId}/numbers.csv` });
  t.match(String(res.headers["content-disposition"]), /^attachment;/);
  const [row] = csvRecords(res.body);
  t.same(
    [row?.phone_number, row?.business, row?.business_unit, row?.program, row?.display_name],
    ["+12133734253", "'=cmd|' /C calc'!A0", "'@SUM(1+1)", "'+Promo", "'-Promo"],
  );
});

t.test("a run's result CSV echoes typed input formula-safe", async (t) => {
  const { admin, acme } = await buildTwoTenants(t);
  const run = await admin.inject({
    method: "POST",
    url: `/units/${acme.unitId}/numbers/delete`,
    ...form({ numbers: '=HYPERLINK("http://evil")+12133734253\n@SUM(A1)\n-2+3', confirm: "yes" }),
  });
  const csv = await admin.inject({ url: `/jobs/${jobIdOf(run.headers.location)}.csv` });
  t.match(String(csv.headers["content-disposition"]), /^attachment;/);
  const inputs = csvRecords(csv.body).map((r) => [r.input, r.code]);
  t.same(inputs, [
    ['\'=HYPERLINK("http://evil")+12133734253', "INVALID_FORMAT"],
    ["'@SUM(A1)", "INVALID_FORMAT"],
    ["'-2+3", "INVALID_FORMAT"],
  ]);
});
