/**
 * What only a browser shows about the layout (issue 15, items 3–6): dashboard rows one line
 * at 1280 px and stacked at 390 px, the navigation folded into a menu button, ⋮ menus that
 * close each other and never cover another row's ⋮, the flash's × and disabled buttons,
 * all without JavaScript unless said otherwise; and where an htmx request's failure is said.
 */
import type { Page } from "playwright-core";
import t from "tap";
import { startBrowserHarness } from "../helpers/browser.js";
import { insertNumber, numberId } from "../helpers/fixtures.js";
import { seedScreens } from "../helpers/screen-ground.js";

const TIMEOUT = { timeout: 120_000 };
const harness = await startBrowserHarness();
t.teardown(harness.close);
const { businessId, unitId, programId, firstNumber } = await seedScreens(harness);

/** Each row's height against the height of one line of its text (plus its padding). */
const rowLines = (page: Page) =>
  page.locator(".numbers-table tbody tr").evaluateAll((rows) =>
    rows.map((row) => {
      const cell = row.querySelector("td") as HTMLElement;
      const style = getComputedStyle(cell);
      const line = Number.parseFloat(style.lineHeight);
      const padding = Number.parseFloat(style.paddingTop) + Number.parseFloat(style.paddingBottom);
      return (row.getBoundingClientRect().height - padding - 1) / line;
    }),
  );

t.test(
  "at 1280 px every dashboard row is one line; Support is in the header",
  TIMEOUT,
  async (t) => {
    const page = await harness.newPage({ javaScriptEnabled: false });
    for (const url of [
      `/businesses/${businessId}/numbers`,
      `/units/${unitId}/numbers`,
      `/programs/${programId}/numbers`,
    ]) {
      await page.goto(url);
      const lines = await rowLines(page);
      t.ok(lines.length >= 6, `${url}: rows to measure`);
      t.ok(
        lines.every((n) => n < 1.5),
        `${url}: every row one line high`,
        { lines },
      );
    }
    const support = page.locator(".topbar").getByRole("link", { name: "Support" });
    const box = await support.boundingBox();
    t.ok(box && box.y < 100 && box.x + box.width <= 1280, "Support in the header, in view", {
      box,
    });
    harness.assertNoProblems(t, page);
    await page.context().close();
  },
);

t.test("at program level the columns every row shares are said once", TIMEOUT, async (t) => {
  const page = await harness.newPage({ javaScriptEnabled: false });
  await page.goto(`/programs/${programId}/numbers`);
  const headings = await page.locator(".numbers-table thead th").allTextContents();
  t.same(
    headings.map((h) => h.trim()),
    ["Number", "Call purpose", "Added", "Actions"],
    "no unit, program, display name or duration columns",
  );
  t.match(
    await page.locator(".program-line").textContent(),
    /ACME Billing · 2026-01-01 – open end\s+Active/,
  );
  await page.goto(`/units/${unitId}/numbers`);
  const unitHeadings = await page.locator(".numbers-table thead th").allTextContents();
  t.notOk(unitHeadings.includes("Business unit"), "a unit's dashboard leaves out its unit");
  t.ok(unitHeadings.includes("Display name"));
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("at 390 px rows stack with number, name, status and ⋮ in view", TIMEOUT, async (t) => {
  const page = await harness.newPage({ javaScriptEnabled: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/units/${unitId}/numbers`);
  const row = page.locator(`#number-${firstNumber}`);
  for (const [part, selector] of [
    ["number", ".phone"],
    ["display name", ".display-name"],
    ["status", ".status"],
    ["⋮", "summary"],
  ] as const) {
    const box = await row.locator(selector).boundingBox();
    t.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.width > 0, `${part} in view`, {
      box,
    });
  }
  // The heading starts near the top: the navigation no longer sits above it as a block.
  const heading = await page.locator("h1").boundingBox();
  t.ok(heading && heading.y < 200, "the page heading is near the top", { heading });
  const nav = page.getByRole("link", { name: "Recently Removed" });
  t.notOk(await nav.isVisible(), "the navigation is folded");
  await page.locator(".nav-toggle").click();
  t.ok(await nav.isVisible(), "the Menu button opens it, without JavaScript");
  await Promise.all([page.waitForURL(/\/numbers\/removed$/), nav.click()]);
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test(
  "without JavaScript one ⋮ menu is open at a time and covers no other ⋮",
  TIMEOUT,
  async (t) => {
    const page = await harness.newPage({ javaScriptEnabled: false });
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`/units/${unitId}/numbers`);
      const menus = page.locator("details.row-menu");
      await menus.nth(0).locator("summary").click();
      t.ok(
        await menus.nth(0).getByRole("link", { name: "Edit" }).isVisible(),
        `${width}: first menu open`,
      );
      // The next row's ⋮ is not under the open menu: a click there reaches it.
      const next = menus.nth(1).locator("summary");
      const hit = await next.evaluate((summary) => {
        const box = summary.getBoundingClientRect();
        const found = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return found !== null && summary.contains(found);
      });
      t.ok(hit, `${width}: the next row's ⋮ is not covered`);
      await next.click();
      t.equal(
        await menus.nth(0).getAttribute("open"),
        null,
        `${width}: opening one closed the other`,
      );
      t.equal(await page.locator("details.row-menu[open]").count(), 1, `${width}: one open`);
    }
    harness.assertNoProblems(t, page);
    await page.context().close();
  },
);

t.test("without JavaScript the flash message's × dismisses it", TIMEOUT, async (t) => {
  const page = await harness.newPage({ javaScriptEnabled: false });
  await page.goto(
    `/numbers/${firstNumber}/edit?return_to=${encodeURIComponent(`/units/${unitId}/numbers`)}`,
  );
  await page.getByLabel("Call purpose").selectOption({ label: "Survey" });
  await Promise.all([
    page.waitForURL(`**/units/${unitId}/numbers`),
    page.getByRole("button", { name: "Save" }).click(),
  ]);
  const flash = page.locator("#flash .flash");
  t.match(await flash.textContent(), /now has the call purpose Survey/);
  await page.getByRole("link", { name: "Dismiss message" }).click();
  await page.waitForLoadState();
  t.equal(await page.locator("#flash .flash").count(), 0, "the message is gone");
  t.match(page.url(), new RegExp(`/units/${unitId}/numbers$`), "on the same page");
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("a disabled button looks disabled", TIMEOUT, async (t) => {
  const page = await harness.newPage({ javaScriptEnabled: false });
  await page.goto(`/units/${unitId}/numbers/delete?tab=upload`);
  const button = page.getByRole("button", { name: "Upload and delete" });
  const look = () =>
    button.evaluate((b) => ({
      opacity: getComputedStyle(b).opacity,
      cursor: getComputedStyle(b).cursor,
    }));
  t.same(await look(), { opacity: "1", cursor: "pointer" }, "enabled");
  await button.evaluate((b) => {
    (b as HTMLButtonElement).disabled = true;
  });
  t.same(await look(), { opacity: "0.5", cursor: "not-allowed" }, "disabled: faded, no hand");
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("with JavaScript an htmx request that fails says why in the flash", TIMEOUT, async (t) => {
  const page = await harness.newPage({
    allowConsole: [
      /^Failed to load resource: the server responded with a status of (404|502) /,
      /^Failed to load resource: net::ERR_FAILED$/,
      // htmx's own log of the two failures the portal did not answer (app.js says them).
      /^Response Status Error Code 502 from /,
      /^htmx:(sendError|afterRequest)/,
    ],
  });
  const { db } = harness.database;
  await insertNumber(db, "+13107284499", { businessId, unitId });
  const gone = await numberId(db, "+13107284499");
  await page.goto(`/units/${unitId}/numbers?q=3107284499`);
  const flash = page.locator("#flash .flash-error[role=alert]");
  const edit = async () => {
    await page.locator("details.row-menu summary").first().click();
    await page.locator("details.row-menu").first().getByRole("link", { name: "Edit" }).click();
  };

  // Removed by someone else since the page was shown: the portal's 404, put in the flash by
  // its headers (HX-Retarget), not by a script reading the answer.
  await db.deleteFrom("phone_numbers").where("id", "=", gone).execute();
  await edit();
  await flash.getByText("No such phone number.").waitFor();
  t.pass("the portal's own message");
  t.equal(await page.locator("dialog#dialog[open]").count(), 0, "no dialog opened");
  t.match(page.url(), /\/numbers\?q=3107284499$/, "the address is unchanged");

  // A proxy's error page is not the portal's: the browser says the request failed.
  await page.route(`**/numbers/${gone}/edit**`, (route) =>
    route.fulfill({ status: 502, contentType: "text/html", body: "<h1>Bad gateway</h1>" }),
  );
  await edit();
  await flash.getByText("The request failed. Try again, or contact Support.").waitFor();
  t.equal(await page.getByText("Bad gateway").count(), 0, "the proxy's page is not shown");

  // No answer at all.
  await page.unroute(`**/numbers/${gone}/edit**`);
  await page.route(`**/numbers/${gone}/edit**`, (route) => route.abort());
  await edit();
  await flash.getByText("The portal could not be reached.", { exact: false }).waitFor();
  t.pass("no connection is said too");
  harness.assertNoProblems(t, page);
  await page.context().close();
});
