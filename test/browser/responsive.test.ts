/**
 * Every page and dialog at 390 px (a phone) and 1280 px (a laptop), with and without
 * JavaScript: the document never scrolls sideways (issue 15, item 3). The new screens (the
 * Overviews) and the dashboard are also checked with axe at both widths, and the key screens
 * are saved as screenshots in .tap/screenshots for a reviewer.
 */
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import t from "tap";
import { AxeReport } from "../helpers/axe.js";
import { startBrowserHarness } from "../helpers/browser.js";
import { eventually } from "../helpers/page-checks.js";
import { SCREENSHOTS, seedScreens, sidewaysOverflow } from "../helpers/screen-ground.js";

const TIMEOUT = { timeout: 240_000 };
const WIDTHS = [390, 1280] as const;

const harness = await startBrowserHarness();
t.teardown(harness.close);
const ground = await seedScreens(harness);
const { businessId, unitId, programId, endingId, firstNumber } = ground;
mkdirSync(SCREENSHOTS, { recursive: true });
const report = new AxeReport();

const PAGES: Array<[url: string, name: string]> = [
  [`/businesses/${businessId}/overview`, "overview-business"],
  [`/units/${unitId}/overview`, "overview-unit"],
  [`/programs/${endingId}/overview`, "overview-program"],
  [`/businesses/${businessId}/numbers`, "dashboard-business"],
  [`/units/${unitId}/numbers?status=active&sort=number`, "dashboard-unit-filtered"],
  [`/programs/${programId}/numbers`, "dashboard-program"],
  [`/programs/${programId}/numbers/add`, "add-manual"],
  [`/programs/${programId}/numbers/add?tab=upload`, "add-upload"],
  [`/units/${unitId}/numbers/delete`, "delete-manual"],
  [`/units/${unitId}/numbers/delete?tab=upload`, "delete-upload"],
  [`/units/${unitId}/numbers/removed`, "recently-removed"],
  [`/businesses/${businessId}/runs`, "runs"],
  [`/businesses/${businessId}/activity`, "activity"],
  ["/businesses", "businesses"],
  [`/businesses/${businessId}/units`, "units"],
  [`/businesses/${businessId}/programs`, "programs"],
  [`/programs/${programId}/details`, "program-details"],
  ["/call-purposes", "call-purposes"],
  [`/businesses/${businessId}/users`, "users"],
  ["/users", "all-users"],
  ["/account", "account"],
  [`/numbers/${firstNumber}/assignments`, "assignments-page"],
  [`/numbers/${firstNumber}/edit`, "edit-page"],
  [`/numbers/${firstNumber}/remove`, "remove-page"],
  ["/businesses/new", "new-business-page"],
  [`/units/${unitId}/edit`, "rename-unit-page"],
  [`/units/${unitId}/programs/new`, "new-program-page"],
  [`/programs/${programId}/edit`, "edit-program-page"],
  ["/call-purposes/new", "new-call-purpose-page"],
  [`/businesses/${businessId}/users/new`, "new-user-page"],
  ["/account/password", "change-password-page"],
  ["/account/tokens/new", "new-token-page"],
  ["/account/two-factor", "two-factor-enrol-page"],
  ["/no-such-page", "not-found"],
];
/** Screens a reviewer looks at first; the rest are only measured. */
const SHOTS = new Set([
  "overview-business",
  "overview-unit",
  "dashboard-business",
  "dashboard-program",
  "activity",
  "recently-removed",
  "delete-manual",
  "add-manual",
  "runs",
]);
/** Screens axe checks at both widths (the new ones, and the dashboard this issue reshaped). */
const AXE = new Set([
  "overview-business",
  "overview-unit",
  "overview-program",
  "dashboard-business",
  "dashboard-program",
]);

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

async function fits(t: TapTest, page: Page, name: string): Promise<void> {
  const o = await sidewaysOverflow(page);
  t.ok(o.scrollWidth <= o.clientWidth, `${name}: no sideways scroll`, o);
}

/** A job page: a small delete run through the plain form (no JavaScript needed). */
async function makeJob(page: Page): Promise<string> {
  await page.goto(`/units/${unitId}/numbers/delete`);
  await page
    .getByLabel("Phone number", { exact: true })
    .fill("+1 213 373 4255\nabc\n+1 415 555 0100");
  await page.getByRole("button", { name: "Delete…" }).click();
  await Promise.all([
    page.waitForURL(/\/jobs\/\d+$/),
    page.getByRole("button", { name: "Ok" }).click(),
  ]);
  return new URL(page.url()).pathname;
}

// A job's result page, made once through the plain form (Delete… posts to the confirmation
// page without JavaScript).
const job = await (async () => {
  const page = await harness.newPage({ javaScriptEnabled: false });
  const path = await makeJob(page);
  await page.context().close();
  return path;
})();

for (const javaScript of [true, false]) {
  t.test(`every page fits, JavaScript ${javaScript ? "on" : "off"}`, TIMEOUT, async (t) => {
    const page = await harness.newPage({
      javaScriptEnabled: javaScript,
      allowConsole: [/status of 404/],
    });
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
      for (const [url, name] of [...PAGES, [job, "job-result"] as [string, string]]) {
        await page.goto(url);
        await fits(t, page, `${name} at ${width}`);
        if (!javaScript) continue;
        if (SHOTS.has(name) || name === "job-result") {
          await page.screenshot({ path: `${SCREENSHOTS}/${name}-${width}.png`, fullPage: true });
        }
        if (AXE.has(name)) {
          t.same(await report.check(page, `${name} at ${width}`), [], `${name} at ${width}: axe`);
        }
      }
      // The folded navigation, open: it drops over the page, it does not widen it.
      await page.goto(`/businesses/${businessId}/numbers`);
      if (width < 500) {
        await page.locator(".nav-toggle").click();
        await page.getByRole("link", { name: "Recently Removed" }).waitFor();
        await fits(t, page, `navigation menu open at ${width}`);
        if (javaScript) {
          await page.screenshot({ path: `${SCREENSHOTS}/navigation-open-${width}.png` });
        }
      }
    }
    harness.assertNoProblems(t, page);
    await page.context().close();
  });
}

t.test("every dialog fits at 390 px, JavaScript on", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/units/${unitId}/numbers`);
  const dialog = page.locator("dialog#dialog");
  for (const item of ["View Assignments", "Edit", "Remove"]) {
    const menu = page.locator(`#menu-number-${firstNumber}`);
    await menu.locator("summary").click();
    await menu.getByRole("link", { name: item }).click();
    await dialog.locator("#dialog-title").waitFor();
    await fits(t, page, `${item} dialog`);
    const box = await dialog.boundingBox();
    t.ok(box && box.x >= 0 && box.x + box.width <= 390, `${item} dialog within the screen`, {
      box,
    });
    if (item === "View Assignments") {
      await page.screenshot({ path: `${SCREENSHOTS}/assignments-dialog-390.png` });
    }
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
  }
  for (const [url, link] of [
    ["/businesses", "New business"],
    [`/businesses/${businessId}/programs`, "New program"],
    [`/businesses/${businessId}/users`, "New user"],
  ] as const) {
    await page.goto(url);
    await page.getByRole("link", { name: link }).click();
    await dialog.locator("#dialog-title").waitFor();
    t.ok(
      await eventually(async () => (await sidewaysOverflow(page)).scrollWidth <= 390),
      `${link} dialog fits`,
    );
    await page.keyboard.press("Escape");
  }
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test(
  "the Manual tab's list, the result dialog and the Manage menu at both widths",
  TIMEOUT,
  async (t) => {
    const page = await harness.newPage();
    const dialog = page.locator("dialog#dialog");
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
      await page.goto(`/programs/${programId}/numbers/add`);
      await page
        .getByLabel("Phone number", { exact: true })
        .fill("+1 415 555 0101\n1-800-FLOWERS\n(415) 555-0101\n+44 20 7183 8750");
      await page.getByRole("button", { name: "Add to Add List" }).click();
      await eventually(async () => (await page.locator("#entry-list > li").count()) === 4);
      await fits(t, page, `Add List at ${width}`);
      await page.screenshot({ path: `${SCREENSHOTS}/add-list-${width}.png`, fullPage: true });
      await page.getByRole("button", { name: "Add numbers" }).click();
      await dialog.getByRole("heading", { name: /^Added Numbers/ }).waitFor();
      await fits(t, page, `result dialog at ${width}`);
      const box = await dialog.boundingBox();
      t.ok(box && box.x >= 0 && box.x + box.width <= width, `result dialog within ${width}`, {
        box,
      });
      await page.screenshot({ path: `${SCREENSHOTS}/result-dialog-${width}.png` });
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      await page.goto(`/units/${unitId}/numbers`);
      await page.locator("#manage-menu summary").click();
      await page.locator("#manage-menu .menu-list").waitFor();
      await fits(t, page, `Manage menu open at ${width}`);
      await page.screenshot({ path: `${SCREENSHOTS}/manage-menu-${width}.png` });
    }
    harness.assertNoProblems(t, page);
    await page.context().close();
  },
);

t.test("summary", async (t) => {
  t.ok(report.screens >= 10, `axe checked ${report.screens} screens`);
  t.comment(report.summary());
});
