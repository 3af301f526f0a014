/** Item 32: NUL and other C0 controls in stored text are replaced; bidi overrides are isolated. */
import t from "tap";
import { csvCell, csvLine } from "../../src/domain/csv.js";
import { REPLACEMENT, replaceControls } from "../../src/domain/text.js";
import { Agent } from "../helpers/agent.js";
import { form } from "../helpers/app.js";
import { callPurposeId } from "../helpers/fixtures.js";
import { buildTwoTenants, jobIdOf } from "../helpers/tenants.js";

const HTML = { accept: "text/html" };
const RLO = "\u202e";

t.test(
  "replaceControls: every C0 control and DEL becomes U+FFFD, nothing else changes",
  async (t) => {
    for (let code = 0; code < 0x20; code++) {
      t.equal(replaceControls(`a${String.fromCharCode(code)}b`), `a${REPLACEMENT}b`, `U+${code}`);
    }
    t.equal(replaceControls("a\u007fb"), `a${REPLACEMENT}b`, "DEL");
    const kept = `ACME Corp é 日本 ${RLO}gnp.exe \u0080 \u00a0`;
    t.equal(replaceControls(kept), kept, "letters, bidi controls and C1 are not C0: kept");
    t.notOk(csvCell("x\u0000y").includes("\u0000"), "a CSV cell never carries a NUL");
    t.equal(csvCell("two\nlines"), '"two\nlines"', "line ends in a cell stay, quoted");
    t.equal(csvLine(["\u0000=1", "a\u0007"]), `${REPLACEMENT}=1,a${REPLACEMENT}\r\n`);
  },
);

t.test("a run's entries: stored and exported without NUL, shown isolated", async (t) => {
  const { admin, database, acme } = await buildTwoTenants(t);
  const { db } = database;
  const entry = `+1 213\u0000 373 ${RLO}4253`;
  const add = await admin.inject({
    method: "POST",
    url: `/units/${acme.unitId}/numbers/add`,
    ...form({
      numbers: `${entry}\nabc\u0001\u0008${RLO}def`,
      call_purpose: String(await callPurposeId(db, "survey")),
    }),
  });
  t.equal(add.statusCode, 303);
  const job = jobIdOf(add.headers.location);
  const rows = await db
    .selectFrom("job_outcomes")
    .select("input")
    .where("job_id", "=", job)
    .execute();
  t.ok(rows.length >= 1, "the rejections are stored");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for controls
  for (const row of rows) t.notMatch(row.input, /[\u0000-\u001f\u007f]/, "no C0 control stored");
  t.ok(
    rows.some((row) => row.input.includes(REPLACEMENT)),
    "replaced, not dropped",
  );
  const csv = await admin.inject({ url: `/jobs/${job}.csv` });
  t.equal(csv.statusCode, 200);
  t.notOk(csv.body.includes("\u0000"), "the CSV carries no NUL");
  const page = await admin.inject({ url: `/jobs/${job}`, headers: HTML });
  t.match(
    page.body,
    new RegExp(`<td><bdi>abc${REPLACEMENT}${REPLACEMENT}${RLO}def</bdi></td>`),
    "isolated",
  );
  const json = await admin.inject({ url: `/jobs/${job}`, headers: { accept: "application/json" } });
  t.notMatch(json.body, /\\u0000/, "JSON carries no NUL either");
});

t.test(
  "names and searches: a bidi override cannot reorder the page; controls never stored",
  async (t) => {
    const { app, admin, database, acme } = await buildTwoTenants(t);
    const { db } = database;
    const renamed = await admin.inject({
      method: "POST",
      url: `/businesses/${acme.businessId}/edit`,
      ...form({ name: `${RLO}proC EMCA` }),
    });
    t.equal(renamed.statusCode, 303);
    const list = await admin.inject({ url: "/businesses", headers: HTML });
    t.match(list.body, new RegExp(`<bdi>${RLO}proC EMCA</bdi>`), "the name is shown isolated");
    // PostgreSQL refuses NUL in text: it is a 400 before any query, on both databases.
    const nul = await admin.inject({
      method: "POST",
      url: `/businesses/${acme.businessId}/edit`,
      ...form({ name: "ACME\u0000Corp" }),
    });
    t.equal(nul.statusCode, 400, "a name with a NUL is refused before it is read");
    t.match(nul.body, /NUL character/);
    const bell = await admin.inject({
      method: "POST",
      url: `/businesses/${acme.businessId}/edit`,
      ...form({ name: "ACME\u0007Corp" }),
    });
    t.equal(bell.statusCode, 422, "a name with another control is refused, so never stored");

    const nulSearch = await admin.inject({
      url: `/businesses/${acme.businessId}/activity?user=${encodeURIComponent("a\u0000b")}`,
      headers: HTML,
    });
    t.equal(nulSearch.statusCode, 400, "a search with a NUL is refused");
    const search = await admin.inject({
      url: `/businesses/${acme.businessId}/activity?user=${encodeURIComponent("a\u0007b")}`,
      headers: HTML,
    });
    t.equal(search.statusCode, 200);
    t.notOk(search.body.includes("\u0007"), "the search is shown back without its control");
    t.match(search.body, new RegExp(`value="a${REPLACEMENT}b"`));

    // A failed sign-in's email is stored in the audit log for display.
    const visitor = new Agent(app);
    visitor.takeCsrfFrom((await visitor.inject({ url: "/login" })).body);
    const nulSignIn = await visitor.inject({
      method: "POST",
      url: "/login",
      ...form({ email: "x\u0000@evil.example", password: "nope", _csrf: visitor.csrfToken }),
    });
    t.equal(nulSignIn.statusCode, 400, "a sign-in with a NUL is refused before any look-up");
    await visitor.inject({
      method: "POST",
      url: "/login",
      ...form({ email: "x\u0007@evil.example", password: "nope", _csrf: visitor.csrfToken }),
    });
    const events = await db.selectFrom("audit_events").select(["summary", "actor_email"]).execute();
    t.notOk(JSON.stringify(events).includes("\\u0000"), "no NUL in the audit log");
    t.notOk(JSON.stringify(events).includes("\\u0007"), "nor any other control");
    t.ok(
      events.some((event) => event.summary.includes(`x${REPLACEMENT}@evil.example`)),
      "the failure is logged with the control replaced",
    );
  },
);
