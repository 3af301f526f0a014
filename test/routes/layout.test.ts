import t from "tap";
import { createBusiness } from "../../src/services/hierarchy/businesses.js";
import { buildTestApp, HX } from "../helpers/app.js";
import { makeTree, portalAdmin } from "../helpers/fixtures.js";
import { userAgent } from "../helpers/users.js";

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

t.test("every response carries the security headers, errors included", async (t) => {
  const { admin, close } = await buildTestApp();
  t.teardown(close);
  for (const url of [
    "/businesses",
    "/no-such-page",
    "/units/999/edit",
    "/healthz",
    "/static/css/app.css",
  ]) {
    const res = await admin.inject({ url });
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      t.equal(res.headers[name], value, `${url}: ${name}`);
    }
  }
});

t.test("a 500 shows a page without the error's insides", async (t) => {
  const { admin, close } = await buildTestApp({}, (app) => {
    app.get("/boom", async () => {
      throw new Error("secret stack detail");
    });
  });
  t.teardown(close);
  const res = await admin.inject({ url: "/boom" });
  t.equal(res.statusCode, 500);
  t.notMatch(res.body, /secret stack detail/);
  t.match(res.body, /Something went wrong/);
  t.equal(res.headers["x-content-type-options"], "nosniff");
  const json = await admin.inject({ url: "/boom", headers: { accept: "application/json" } });
  t.equal(json.statusCode, 500);
  t.equal(
    json.json().message,
    "The portal hit an unexpected problem. Try again, or contact Support.",
  );
  const hx = await admin.inject({ url: "/boom", headers: HX });
  t.notMatch(hx.body, /<html/, "htmx gets just the message");
});

t.test("404 page is a full page with navigation and Support", async (t) => {
  const { admin, close } = await buildTestApp({
    supportUrl: "https://support.example.test/numberdesk",
  });
  t.teardown(close);
  const res = await admin.inject({ url: "/nowhere" });
  t.equal(res.statusCode, 404);
  t.match(res.body, /There is no page here/);
  t.match(
    res.body,
    /href="https:\/\/support.example.test\/numberdesk"/,
    "Support link from SUPPORT_URL",
  );
});

t.test("layout: navigation, level switcher, no inline scripts or styles", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const tree = await makeTree(database.db);
  const res = await admin.inject({ url: `/programs/${tree.programId}/details` });
  t.equal(res.statusCode, 200);
  t.match(res.body, /<nav class="main-nav"/);
  t.match(
    res.body,
    new RegExp(`href="/units/${tree.unitId}/programs"`),
    "Programs item at program level lists the unit's",
  );
  t.match(res.body, /href="\/call-purposes"/, "portal admins see the admin items");
  t.match(res.body, /ACME Corp<\/bdi><\/summary>/);
  t.match(res.body, /Billing<\/bdi><\/summary>/);
  t.match(res.body, /Q4 Reminders<\/bdi><\/summary>/);
  t.notMatch(res.body, /<script>|<script(?![^>]*\ssrc=)[^>]*>|style=/, "no inline script or style");
  t.match(res.body, /<meta name="htmx-config" content='\{"allowEval":false/);
});

t.test("names are escaped everywhere they are shown", async (t) => {
  const { admin, database, close } = await buildTestApp();
  t.teardown(close);
  const evil = "<img src=x onerror=alert(1)>";
  const business = await createBusiness(database.db, await portalAdmin(database.db), {
    name: evil,
  });
  for (const url of [
    "/businesses",
    `/businesses/${business.id}/units`,
    `/businesses/${business.id}/delete`,
  ]) {
    for (const headers of [{}, HX]) {
      const res = await admin.inject({ url, headers });
      t.notMatch(res.body, /<img src=x/, `${url} ${JSON.stringify(headers)}`);
      t.match(res.body, /&lt;img src=x onerror=alert\(1\)&gt;/);
    }
  }
});

t.test("static assets: our CSS and JS, and htmx from its package", async (t) => {
  const { admin, close } = await buildTestApp();
  t.teardown(close);
  const htmx = await admin.inject({ url: "/static/vendor/htmx/htmx.min.js" });
  t.equal(htmx.statusCode, 200);
  t.match(htmx.body, /htmx/);
  t.equal(
    (await admin.inject({ url: "/static/vendor/htmx/htmx.js" })).statusCode,
    404,
    "only the min build",
  );
  t.equal((await admin.inject({ url: "/static/js/app.js" })).statusCode, 200);
  t.equal((await admin.inject({ url: "/static/css/app.css" })).statusCode, 200);
});

t.test(
  "every post form carries its CSRF field; dialogs post with htmx only inside the dialog",
  async (t) => {
    const { admin, database, close } = await buildTestApp();
    t.teardown(close);
    const tree = await makeTree(database.db);
    const pages = [
      "/businesses",
      "/call-purposes",
      "/account",
      `/units/${tree.unitId}/edit`,
      `/units/${tree.unitId}/delete`,
      `/programs/${tree.programId}/edit`,
      `/units/${tree.unitId}/programs/new`,
      "/businesses/new",
      "/users/new",
      "/account/password",
    ];
    for (const url of pages) {
      for (const headers of [{}, HX]) {
        const body = (await admin.inject({ url, headers })).body;
        const forms = body.match(/<form method="post"/g)?.length ?? 0;
        const protectedForms =
          body.match(
            /<form method="post"[^>]*>\s*<input type="hidden" name="_csrf" value="[^"]+">/g,
          )?.length ?? 0;
        t.equal(
          protectedForms,
          forms,
          `${url} ${headers === HX ? "(htmx)" : ""}: ${forms} form(s)`,
        );
      }
    }
    const page = await admin.inject({ url: `/units/${tree.unitId}/edit` });
    t.notMatch(page.body, /hx-post=/, "as a page the form posts plainly");
    const dialog = await admin.inject({ url: `/units/${tree.unitId}/edit`, headers: HX });
    t.match(dialog.body, /hx-post="\/units\/\d+\/edit" hx-target="#dialog-body"/);
  },
);

t.test("a 403 page carries the security headers too", async (t) => {
  const { app, database, close } = await buildTestApp();
  t.teardown(close);
  const tree = await makeTree(database.db);
  const viewer = (
    await userAgent(app, database.db, "v@acme.test", "viewer", `business:${tree.businessId}`)
  ).agent;
  const res = await viewer.inject({ url: "/call-purposes", headers: { accept: "text/html" } });
  t.equal(res.statusCode, 403);
  for (const [name, value] of Object.entries(SECURITY_HEADERS))
    t.equal(res.headers[name], value, name);
  t.match(res.body, /Only a portal admin can manage call purposes\./);
});
