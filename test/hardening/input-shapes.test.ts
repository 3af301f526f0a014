/** Item 30 and 31, the cases found by hand: each a 400 with a message naming the field. */
import t from "tap";
import { form, HX } from "../helpers/app.js";
import { buildTwoTenants } from "../helpers/tenants.js";

const JSON_WANTED = { accept: "application/json" };

t.test("a repeated query field is a 400 that names it, as page, fragment and JSON", async (t) => {
  const { admin, acme } = await buildTwoTenants(t);
  const b = acme.businessId;
  for (const [url, field] of [
    [`/businesses/${b}/numbers?q=1&q=2`, "q"],
    [`/businesses/${b}/activity?user=a&user=b`, "user"],
    [`/businesses/${b}/numbers?status=active&status=expired`, "status"],
    [`/businesses/${b}/numbers.csv?q=1&q=2`, "q"],
  ] as const) {
    const json = await admin.inject({ url, headers: JSON_WANTED });
    t.equal(json.statusCode, 400, url);
    t.equal(json.json().message, `The field “${field}” must be given once, as text.`);
    const page = await admin.inject({ url, headers: { accept: "text/html" } });
    t.equal(page.statusCode, 400);
    t.match(page.body, `The field “${field}” must be given once, as text.`);
    const fragment = await admin.inject({ url, headers: HX });
    t.equal(fragment.statusCode, 400);
    t.notMatch(fragment.body, /<html/, "htmx gets a fragment");
  }
  const long = await admin.inject({
    url: `/businesses/${b}/numbers?q=${"1".repeat(100_000)}`,
    headers: JSON_WANTED,
  });
  t.equal(long.statusCode, 400);
  t.match(long.json().message, /The field “q” is too long: at most \d+ characters\./);
  const one = await admin.inject({
    url: `/businesses/${b}/numbers?status=active`,
    headers: JSON_WANTED,
  });
  t.equal(one.statusCode, 200, "given once, the filter works");
});

t.test("malformed multipart is a 400 and writes nothing", async (t) => {
  const { admin, database, acme } = await buildTwoTenants(t);
  const { db } = database;
  const jobs = async () => (await db.selectFrom("jobs").select("id").execute()).length;
  const before = await jobs();
  for (const [contentType, payload] of [
    ["multipart/form-data; boundary=x", "garbage"],
    ["multipart/form-data", "garbage"],
    [
      "multipart/form-data; boundary=x",
      '--x\r\nContent-Disposition: form-data; name="numbers"\r\n\r\n+1213',
    ],
  ]) {
    const res = await admin.inject({
      method: "POST",
      url: `/units/${acme.unitId}/numbers/add`,
      headers: { "content-type": contentType, ...JSON_WANTED },
      payload,
    });
    t.equal(res.statusCode, 400, `${contentType}: ${JSON.stringify(payload).slice(0, 30)}`);
    t.match(res.json().message, /multipart body is malformed or cut short/);
  }
  t.equal(await jobs(), before, "no run was started");
});

t.test("a form field given twice, or as a list or object in JSON, is a 400", async (t) => {
  const { admin, acme } = await buildTwoTenants(t);
  const twice = await admin.inject({
    method: "POST",
    url: `/businesses/${acme.businessId}/edit`,
    ...form(
      [
        ["name", "A"],
        ["name", "B"],
      ],
      JSON_WANTED,
    ),
  });
  t.equal(twice.statusCode, 400);
  t.equal(twice.json().message, "The field “name” must be given once, as text.");
  const nested = await admin.inject({
    method: "POST",
    url: `/businesses/${acme.businessId}/edit`,
    headers: JSON_WANTED,
    payload: { name: { a: 1 } },
  });
  t.equal(nested.statusCode, 400);
  const unknown = await admin.inject({
    method: "POST",
    url: "/account/sessions/end-others",
    ...form(
      [
        ["why", "a"],
        ["why", "b"],
      ],
      JSON_WANTED,
    ),
  });
  t.equal(unknown.statusCode, 400, "a route that reads no field still refuses a repeated one");
  t.equal(unknown.json().message, "The field “why” must be given once, as text.");
});
