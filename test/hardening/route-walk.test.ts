/**
 * Item 30, generated: every route the portal registers (read from its own route table, so a
 * new route is walked without editing this file) is sent a set of bad input shapes as each
 * role. None may answer 5xx, and none may change what the portal holds.
 */
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import type { Kysely } from "kysely";
import t from "tap";
import type { DB } from "../../src/db/database.js";
import type { RegisteredRoute } from "../../src/web/input-shapes.js";
import { buildRunGround } from "../helpers/tenants.js";
import { scriptHeaders, tokenOf } from "../helpers/tokens.js";
import { userAgent } from "../helpers/users.js";

const LONG = "9".repeat(100 * 1024);
const CONTROLS = "\u0000\u0001\u0008\u001b[2J\u007f\u202e\r\n";
/** Values for a path parameter that name nothing: not digits, too long, traversal, NUL. */
const BAD_IDS = ["0", "abc99999999999999999999", "..%2F..%00"];
/** A field no route declares, walked besides the ones a route's schema declares. */
const COMMON_FIELDS = ["q"];

const ANSWERS = [
  { accept: "application/json" },
  { "hx-request": "true" },
  { accept: "application/json" },
  { accept: "text/html" },
];

/** What the portal holds; logs (audit, jobs) and sessions are not the portal's data. */
async function fingerprint(db: Kysely<DB>): Promise<string> {
  const tables = [
    "businesses",
    "business_units",
    "programs",
    "call_purposes",
    "phone_numbers",
    "users",
  ] as const;
  const parts: unknown[] = [];
  for (const table of tables) parts.push(await db.selectFrom(table).selectAll().execute());
  // A token's last use is written when a script uses it; its existence and revocation count.
  parts.push(await db.selectFrom("api_tokens").select(["id", "name", "revoked_at"]).execute());
  return JSON.stringify(parts);
}

const propertiesOf = (schema: unknown): string[] =>
  Object.keys((schema as { properties?: object } | undefined)?.properties ?? {});

/** The route's URL with every parameter (":id(regex)", ":name", "*") set to `value`. */
const fill = (url: string, value: string) =>
  url.replace(/:[A-Za-z_]+(\([^)]*\))?/g, value).replace(/\*/g, value);

const multipart = (body: string, boundary = "x") => ({
  headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  payload: body,
});

/** Each bad shape for one route, as inject options. */
function shapes(route: RegisteredRoute): InjectOptions[] {
  const method = route.method as "GET" | "POST";
  const fields = [
    ...new Set([
      ...propertiesOf(route.schema.querystring),
      ...propertiesOf(route.schema.body),
      ...COMMON_FIELDS,
    ]),
  ];
  const hasParams = /[:*]/.test(route.url);
  // Ids that name nothing; then the shapes go to id 1, which names something of every kind
  // (the first business, unit, program, number, user...), so each reaches its route's code.
  const out: InjectOptions[] = hasParams
    ? BAD_IDS.map((id) => ({ method, url: fill(route.url, id) }))
    : [];
  const url = hasParams ? fill(route.url, "1") : route.url;
  // On a post to a real id, only shapes that must be refused before the route's code: were
  // one let through, the fingerprint below would catch what it changed.
  const mayPass = method === "GET" || !hasParams;
  for (const field of fields) {
    out.push({ method, url: `${url}?${field}=1&${field}=2` });
    out.push({ method, url: `${url}?${field}=${LONG}` });
    if (mayPass) out.push({ method, url: `${url}?${field}=${encodeURIComponent(CONTROLS)}` });
    if (method !== "POST") continue;
    const form = (body: string) => ({
      method,
      url,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: body,
    });
    out.push(form(`${field}=1&${field}=2`));
    out.push(form(`${field}=${LONG}`));
    if (mayPass) out.push(form(`${field}=${encodeURIComponent(CONTROLS)}`));
    out.push({ method, url, payload: { [field]: [{ nested: 1 }, field] } });
  }
  if (mayPass) out.push({ method, url: `${url}?%zz=%&q=%E0%A4%A` });
  if (method === "POST") {
    if (mayPass) {
      out.push({ method, url, headers: { "content-type": "text/plain" }, payload: "numbers=1" });
    }
    out.push({ method, url, headers: { "content-type": "application/xml" }, payload: "<a/>" });
    out.push({ method, url, headers: { "content-type": "application/json" }, payload: '{"name":' });
    out.push({ method, url, headers: { "content-type": "application/json" }, payload: "[1,2]" });
    if (mayPass) {
      out.push({
        method,
        url,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "%zz=%&%E0%A4%A",
      });
    }
    out.push({ method, url, ...multipart("garbage") });
    out.push({
      method,
      url,
      headers: { "content-type": "multipart/form-data" },
      payload: "garbage",
    });
    out.push({
      method,
      url,
      ...multipart('--x\r\nContent-Disposition: form-data; name="numbers"\r\n\r\n+1213'),
    });
    out.push({
      method,
      url,
      ...multipart(
        '--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n+12133734253\r\n--x\r\nContent-Disposition: form-data; name="file"; filename="b.csv"\r\n\r\nx\r\n--x--\r\n',
      ),
    });
  }
  return out;
}

t.test(
  "every route, every role, every bad shape: no 5xx, nothing changed",
  { timeout: 600_000 },
  async (t) => {
    const ground = await buildRunGround(t);
    const { app, admin, database, acme, editor } = ground;
    const { db } = database;
    const routes = app.registeredRoutes
      .filter((r) => r.method === "GET" || r.method === "POST")
      // Signing out last: the role's later requests should still be signed in.
      .sort((a, b) => Number(a.url === "/logout") - Number(b.url === "/logout"));
    t.ok(routes.length > 50, `the route table lists the portal's routes (${routes.length})`);
    t.ok(
      routes.some((r) => r.url.startsWith("/businesses/") && r.url.endsWith("/activity")),
      "routes inside the signed-in part are listed too",
    );

    const businessAdmin = (
      await userAgent(app, db, "ba@acme.test", "admin", `business:${acme.businessId}`)
    ).agent;
    const viewer = (await userAgent(app, db, "vi@acme.test", "viewer", `unit:${acme.unitId}`))
      .agent;
    const token = await tokenOf(db, "ed@acme.test", "walker");
    type Send = (options: InjectOptions) => Promise<LightMyRequestResponse>;
    const roles: Array<[string, Send]> = [
      ["signed out", (o) => app.inject(o)],
      ["script", (o) => app.inject({ ...o, headers: { ...scriptHeaders(token), ...o.headers } })],
      ["viewer", (o) => viewer.inject(o)],
      ["editor", (o) => editor.inject(o)],
      ["business admin", (o) => businessAdmin.inject(o)],
      ["portal admin", (o) => admin.inject(o)],
    ];

    const before = await fingerprint(db);
    let sent = 0;
    for (const [role, send] of roles) {
      const failures: string[] = [];
      for (const route of routes) {
        for (const shape of shapes(route)) {
          // A page, an htmx fragment and JSON in turn: every error path is walked.
          {
            const headers = ANSWERS[sent % ANSWERS.length];
            const response = await send({ ...shape, headers: { ...headers, ...shape.headers } });
            sent++;
            if (response.statusCode >= 500) {
              failures.push(
                `${response.statusCode} ${shape.method} ${String(shape.url).slice(0, 120)} ${String(shape.headers?.["content-type"] ?? "")} ${String(shape.payload ?? "").slice(0, 60)}`,
              );
            }
          }
        }
      }
      t.same(failures, [], `${role}: no bad shape is a 5xx`);
      t.equal(await fingerprint(db), before, `${role}: nothing the portal holds changed`);
    }
    t.ok(sent > 3000, `${sent} requests sent`);
  },
);
