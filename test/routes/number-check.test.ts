import t, { type Test } from "tap";
import { buildTestApp, HX } from "../helpers/app.js";

const HTML = { accept: "text/html" };
const JSON_ACCEPT = { accept: "application/json" };

const check = (number: string): string => `/numbers/check?number=${encodeURIComponent(number)}`;

async function setup(t: Test, overrides: Parameters<typeof buildTestApp>[0] = {}) {
  const built = await buildTestApp(overrides);
  t.teardown(built.close);
  return built;
}

t.test("a valid number: green checkmark with the number as it will be stored", async (t) => {
  const { admin } = await setup(t);
  for (const headers of [HTML, HX]) {
    const res = await admin.inject({ url: check("(213) 373-4253"), headers });
    t.equal(res.statusCode, 200);
    t.match(res.headers["content-type"], /^text\/html/);
    t.notMatch(res.body, /<html|<main/, "a bare fragment, without the layout");
    t.match(res.body, /<span class="check-valid" role="status">/);
    t.match(res.body, /<span class="check-mark" aria-hidden="true">✓<\/span>/);
    t.match(res.body, /Valid:<\/span> \(213\) 373-4253 · \+12133734253/);
    t.notMatch(res.body, /check-invalid/);
    t.match(
      String(res.headers.vary),
      /HX-Request.*Accept/,
      "caches key on htmx headers and Accept",
    );
    t.match(String(res.headers["content-security-policy"]), /script-src 'self'/);
  }
  const international = await admin.inject({ url: check("011 44 20 7183 8750"), headers: HX });
  t.match(international.body, /\+44 20 7183 8750 · \+442071838750/);
});

t.test("an invalid number: 200 with the reason, never a made-up number", async (t) => {
  const { admin } = await setup(t);
  const cases: Array<[string, RegExp]> = [
    ["1-800-FLOWERS", /Letters are not allowed/],
    ["213 373 4253 x1234", /Extensions are not allowed/],
    ["Call me +1 213 373 4253", /without text or symbols/],
    ["+1 555 555 5555", /Not a valid phone number/],
    ["+", /after the \+/],
    ["2".repeat(251), /too long/],
  ];
  for (const [number, message] of cases) {
    const res = await admin.inject({ url: check(number), headers: HX });
    t.equal(res.statusCode, 200, `${number.slice(0, 20)}: a check, not a refused form`);
    t.match(res.body, /<span class="check-invalid" role="status">/);
    t.match(res.body, message);
    t.notMatch(res.body, /check-valid|\+1800/);
  }
});

t.test("nothing typed: an empty fragment", async (t) => {
  const { admin } = await setup(t);
  for (const url of ["/numbers/check?number=", "/numbers/check?number=%20%20", "/numbers/check"]) {
    const res = await admin.inject({ url, headers: HX });
    t.equal(res.statusCode, 200);
    t.equal(res.body.trim(), "", `${url}: no verdict under an empty field`);
  }
});

t.test("JSON for scripts", async (t) => {
  const { admin } = await setup(t);
  const valid = await admin.inject({ url: check("+1 213 373 4253"), headers: JSON_ACCEPT });
  t.equal(valid.statusCode, 200);
  t.match(valid.headers["content-type"], /^application\/json/);
  t.same(valid.json(), { valid: true, e164: "+12133734253", national: "(213) 373-4253" });

  const invalid = await admin.inject({ url: check("1-800-FLOWERS"), headers: JSON_ACCEPT });
  t.equal(invalid.statusCode, 200);
  t.match(invalid.json(), {
    valid: false,
    code: "INVALID_FORMAT",
    message: /^Letters are not allowed/,
  });
  t.notOk("e164" in invalid.json());

  const empty = await admin.inject({ url: "/numbers/check?number=", headers: JSON_ACCEPT });
  t.same(
    empty.json(),
    { valid: false, code: "INVALID_FORMAT", message: "Enter a phone number." },
    "a script asking about nothing gets an answer",
  );

  const browser = await admin.inject({
    url: check("+1 213 373 4253"),
    headers: { accept: "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8" },
  });
  t.match(browser.body, /check-valid/, "a browser that also accepts JSON gets HTML");
});

t.test("default region none: numbers need a country code", async (t) => {
  const { admin } = await setup(t, { defaultRegion: null });
  const national = await admin.inject({ url: check("(213) 373-4253"), headers: HX });
  t.equal(national.statusCode, 200);
  t.match(national.body, /check-invalid/);
  t.match(national.body, /Add the country code, e\.g\. \+1 /);
  const json = await admin.inject({ url: check("(213) 373-4253"), headers: JSON_ACCEPT });
  t.match(json.json(), { valid: false, code: "INVALID_FORMAT", message: /^Add the country code/ });
  const international = await admin.inject({ url: check("+1 213 373 4253"), headers: HX });
  t.match(international.body, /check-valid/);
});

t.test("the typed text is never echoed unescaped", async (t) => {
  const { admin } = await setup(t);
  for (const number of [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "213 373 4253 <b>x</b>",
    "+1 555 555 5555<script>",
  ]) {
    const res = await admin.inject({ url: check(number), headers: HX });
    t.equal(res.statusCode, 200);
    t.notMatch(res.body, /<script|<img|<b>/i, `${number}: no markup from the input`);
    t.match(res.body, /check-invalid/);
  }
});

t.test("a repeated number parameter is a bad request, not one of them checked", async (t) => {
  const { admin } = await setup(t);
  const res = await admin.inject({
    url: "/numbers/check?number=%2B12133734253&number=x",
    headers: JSON_ACCEPT,
  });
  t.equal(res.statusCode, 400);
});

t.test("signed out: sign in first, nothing checked", async (t) => {
  const { app } = await setup(t);
  const page = await app.inject({ url: check("(213) 373-4253"), headers: HTML });
  t.equal(page.statusCode, 303);
  t.match(page.headers.location, /^\/login\?next=%2Fnumbers%2Fcheck/);
  const hx = await app.inject({
    url: check("(213) 373-4253"),
    headers: { ...HX, "hx-current-url": "http://localhost/account" },
  });
  t.equal(hx.statusCode, 401);
  t.equal(hx.headers["hx-redirect"], "/login?next=%2Faccount");
  t.notMatch(hx.body, /check-valid/);
  const script = await app.inject({ url: check("(213) 373-4253"), headers: JSON_ACCEPT });
  t.equal(script.statusCode, 401);
  t.notOk("valid" in script.json());
});
