import t from "tap";
import { createBusiness } from "../../src/services/hierarchy/businesses.js";
import { buildTestApp, form, HX } from "../helpers/app.js";
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
  t.notMatch(hx.body, /secret stack detail/);
});

/** What htmx 2 does with a status under the page's responseHandling: the first rule that matches. */
function handlingOf(pageHtml: string, status: number): { swap: boolean; error: boolean } {
  const config = /<meta name="htmx-config" content='([^']+)'>/.exec(pageHtml)?.[1] ?? "{}";
  const rules = (JSON.parse(config) as { responseHandling?: Array<Record<string, unknown>> })
    .responseHandling;
  const rule = rules?.find((r) => new RegExp(String(r.code)).test(String(status)));
  return { swap: rule?.swap === true, error: rule?.error === true };
}

t.test("an htmx request that fails says why in the flash region, from one place", async (t) => {
  const { app, admin, database, close } = await buildTestApp({}, (app) => {
    app.get("/boom", async () => {
      throw new Error("secret stack detail");
    });
  });
  t.teardown(close);
  const tree = await makeTree(database.db);
  const viewer = (
    await userAgent(app, database.db, "v@acme.test", "viewer", `business:${tree.businessId}`)
  ).agent;
  const failures = [
    { status: 404, res: await admin.inject({ url: "/numbers/999999/edit", headers: HX }) },
    { status: 403, res: await viewer.inject({ url: `/units/${tree.unitId}/edit`, headers: HX }) },
    {
      status: 403,
      res: await admin.inject({
        method: "POST",
        url: "/businesses/new",
        ...form({ name: "Forged" }, { ...HX, "x-csrf-token": "" }),
      }),
    },
    { status: 500, res: await admin.inject({ url: "/boom", headers: HX }) },
  ];
  for (const { status, res } of failures) {
    const what = `${res.raw.req.method} ${res.raw.req.url} → ${status}`;
    t.equal(res.statusCode, status, `${what}: the status keeps its meaning`);
    t.equal(res.headers["hx-retarget"], "#flash", `${what}: into the flash region`);
    t.equal(res.headers["hx-reswap"], "innerHTML", what);
    t.equal(res.headers["hx-reselect"], ".flash", `${what}: whatever the request selected`);
    t.equal(res.headers["hx-push-url"], "false", `${what}: not into history`);
    t.match(res.body, /^<div class="flash flash-error" role="alert">/, `${what}: a flash`);
    t.notMatch(res.body, /<html|<h1/, what);
  }
  t.match(failures[2]?.res.body, /This form has expired or did not come from this portal\./);

  const page = await admin.inject({ url: "/businesses", headers: { accept: "text/html" } });
  for (const status of [400, 403, 404, 409, 413, 422, 429, 500]) {
    t.same(handlingOf(page.body, status), { swap: true, error: false }, `${status} is swapped`);
  }
  for (const status of [408, 502, 503, 504]) {
    t.same(
      handlingOf(page.body, status),
      { swap: false, error: true },
      `${status} is a proxy's: not swapped, app.js says it failed`,
    );
  }
  t.same(handlingOf(page.body, 204), { swap: false, error: false });

  const plain = await admin.inject({
    url: "/numbers/999999/edit",
    headers: { accept: "text/html" },
  });
  t.equal(plain.statusCode, 404);
  t.equal(plain.headers["hx-retarget"], undefined, "a page is a page");
  t.match(plain.body, /<h1 id="dialog-title">Not found<\/h1>/);
  const invalid = await admin.inject({
    method: "POST",
    url: "/businesses/new",
    ...form({ name: "" }, HX),
  });
  t.equal(invalid.statusCode, 422);
  t.equal(invalid.headers["hx-retarget"], undefined, "a form with its messages swaps in place");
});

t.test("htmx sends the CSRF token from <body>; plain forms from their field", async (t) => {
  const { admin, close } = await buildTestApp();
  t.teardown(close);
  const page = await admin.inject({ url: "/businesses", headers: { accept: "text/html" } });
  const header = /<body hx-headers='\{"X-CSRF-Token": "([^"]+)"\}'/.exec(page.body)?.[1];
  t.ok(header, "the body carries the header for every htmx request");
  t.match(page.body, `hx-headers:inherited='{"X-CSRF-Token": "${header}"}'`, "htmx 4's way too");
  t.equal(/name="_csrf" value="([^"]+)"/.exec(page.body)?.[1], header, "the forms' own token");
  const post = (token: string) =>
    admin.inject({
      method: "POST",
      url: "/businesses/new",
      ...form({ name: `Made with ${token.length} characters` }, { ...HX, "x-csrf-token": token }),
    });
  t.equal((await post(header ?? "")).statusCode, 200, "the header alone proves the origin");
  t.equal((await post("")).statusCode, 403, "without it, refused");
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
