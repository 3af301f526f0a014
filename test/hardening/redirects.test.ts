import t from "tap";
import { Agent } from "../helpers/agent.js";
import { ADMIN_EMAIL, ADMIN_PASSWORD, buildTestApp, form } from "../helpers/app.js";

/** Values a browser would turn into another host, or that break a Location header. */
const HOSTILE_NEXT = [
  "/\t/evil.example/link",
  "/\\evil.example",
  "//evil.example",
  "/.//evil.example",
  "\r\n//evil.example",
  "/x\r\nSet-Cookie: planted=1",
  "javascript:alert(1)",
];

t.test("item 29: sign-in never sends the browser off-site, and CR/LF is not a 500", async (t) => {
  const { app, close } = await buildTestApp({}, undefined, { signIn: false });
  t.teardown(close);
  for (const next of HOSTILE_NEXT) {
    const agent = new Agent(app);
    const page = await agent.inject({ url: `/login?next=${encodeURIComponent(next)}` });
    t.equal(page.statusCode, 200, `the sign-in page opens with next=${JSON.stringify(next)}`);
    agent.takeCsrfFrom(page.body);
    const kept = /name="next" value="([^"]*)"/.exec(page.body)?.[1] ?? "";
    const signedIn = await agent.inject({
      method: "POST",
      url: "/login",
      ...form({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD, next, _csrf: agent.csrfToken }),
    });
    t.equal(signedIn.statusCode, 303, `signed in with next=${JSON.stringify(next)}`);
    const location = String(signedIn.headers.location);
    t.ok(
      location === "/" || location.startsWith("/x"),
      `stays home: ${JSON.stringify(next)} → ${location}`,
    );
    t.equal(new URL(location, "https://portal.example").origin, "https://portal.example");
    t.notMatch(location, /[\s\\]/, "no whitespace or backslash in the Location");
    t.equal(
      new URL(kept, "https://portal.example").origin,
      "https://portal.example",
      "the form's next",
    );
    t.notOk(signedIn.headers["set-cookie"]?.toString().includes("planted"), "no header injected");
    // Signed in already, the sign-in page redirects straight to next: the same rule.
    const again = await agent.inject({ url: `/login?next=${encodeURIComponent(next)}` });
    t.equal(again.statusCode, 303);
    t.notMatch(String(again.headers.location), /evil|^\/\/|[\s\\]/);
  }
});

t.test("item 29: return_to on restore and number forms stays on the portal", async (t) => {
  const { admin, close } = await buildTestApp();
  t.teardown(close);
  for (const return_to of HOSTILE_NEXT) {
    const bulk = await admin.inject({
      method: "POST",
      url: "/removed/restore",
      ...form({ return_to, _csrf: admin.csrfToken }),
    });
    t.ok(bulk.statusCode < 500, `restore with return_to=${JSON.stringify(return_to)}`);
    const location = bulk.headers.location;
    if (location !== undefined) t.notMatch(String(location), /evil|^\/\/|[\s\\]/);
  }
});
