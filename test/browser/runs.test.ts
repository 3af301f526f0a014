/**
 * Issue 12 in a real browser, beyond the Delete List (delete-list.test.ts): the Add List with a
 * call purpose per entry and its result, with and without JavaScript; Move here answering in
 * the dialog; the dashboard's Manage Phone Numbers ▾ as links without JavaScript, leading to
 * Runs and from there to a run's result at its level; a second Undo without JavaScript; the
 * sidebar's Manage Phone Numbers as a link, on a phone and a laptop.
 */
import type { Locator, Page } from "playwright-core";
import t from "tap";
import { startBrowserHarness } from "../helpers/browser.js";
import { insertNumber, makeTree } from "../helpers/fixtures.js";
import { readMarker, setMarker } from "../helpers/page-checks.js";
import { SCREENSHOTS } from "../helpers/screen-ground.js";

const TIMEOUT = { timeout: 90_000 };

const harness = await startBrowserHarness();
t.teardown(harness.close);
const { db } = harness.database;
const tree = await makeTree(db, "ACME");
const addPage = `/programs/${tree.programId}/numbers/add`;
// Elsewhere in ACME (its unit), for Move here.
await insertNumber(db, "+13107284411", { businessId: tree.businessId, unitId: tree.unitId });

const textOf = async (locator: Locator): Promise<string> =>
  ((await locator.textContent()) ?? "").replace(/\s+/g, " ").trim();
const purposeOf = (e164: string) =>
  db
    .selectFrom("phone_numbers")
    .innerJoin("call_purposes", "call_purposes.id", "phone_numbers.call_purpose_id")
    .select(["call_purposes.name", "phone_numbers.program_id"])
    .where("e164", "=", e164)
    .executeTakeFirst();
const field = (page: Page) => page.getByLabel("Phone number", { exact: true });

t.test(
  "without JavaScript: the Add List, a purpose per entry, the result page",
  TIMEOUT,
  async (t) => {
    const page = await harness.newPage({ javaScriptEnabled: false });
    await page.goto(addPage);
    await field(page).fill("+1 213 728 1001\n+1 213 728 1002");
    await Promise.all([
      page.waitForURL(`${addPage}/list`),
      page.getByRole("button", { name: "Check" }).click(),
    ]);
    t.equal(await page.locator("#entry-list > li").count(), 2, "the list, built by the server");
    await page.getByLabel("Call purpose of entry 2").selectOption({ label: "Survey" });
    await Promise.all([
      page.waitForURL(/\/jobs\/\d+$/),
      page.getByRole("button", { name: "Add numbers" }).click(),
    ]);
    t.equal(
      await textOf(page.getByRole("heading", { name: /^Added Numbers/ })),
      "Added Numbers (2)",
    );
    t.same(await purposeOf("+12137281001"), {
      name: "Customer Service",
      program_id: tree.programId,
    });
    t.same(await purposeOf("+12137281002"), { name: "Survey", program_id: tree.programId });
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 844 });
      await page.screenshot({ path: `${SCREENSHOTS}/job-page-${width}.png`, fullPage: true });
    }
    await Promise.all([page.waitForURL(addPage), page.getByRole("link", { name: "Ok" }).click()]);
    t.pass("Ok leads back to where the run started");
    harness.assertNoProblems(t, page);
    await page.context().close();
  },
);

t.test("with JavaScript: Move here answers in the dialog", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  await page.goto(addPage);
  await setMarker(page);
  await field(page).fill("+1 310 728 4411");
  await field(page).press("Enter");
  await page.locator("#entry-list > li").first().waitFor();
  await page.getByRole("button", { name: "Add numbers" }).click();
  const dialog = page.locator("dialog#dialog");
  await dialog.getByRole("heading", { name: "Rejected Numbers (1)" }).waitFor();
  t.match(
    await textOf(dialog.locator("tbody tr")),
    /Exists elsewhere: It is in ACME Corp › Billing\./,
  );
  await dialog.getByRole("button", { name: "Move here" }).click();
  await dialog.getByText("Moved 1 number to ACME Corp › Billing › Q4 Reminders.").waitFor();
  t.match(await textOf(dialog.locator("tbody tr")), /Moved here since/, "the row says so");
  t.equal(await dialog.getByRole("button", { name: /Move/ }).count(), 0, "no Move left to press");
  t.equal((await purposeOf("+13107284411"))?.program_id, tree.programId, "it moved");
  t.equal(await readMarker(page), 1, "all in the dialog, no page load");
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    const box = await dialog.boundingBox();
    t.ok(box && box.x >= 0 && box.x + box.width <= width, `${width} px: the dialog fits`);
    await page.screenshot({ path: `${SCREENSHOTS}/result-dialog-${width}.png` });
  }
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test(
  "without JavaScript: Manage Phone Numbers ▾ is links, to Runs and a run",
  TIMEOUT,
  async (t) => {
    const page = await harness.newPage({ javaScriptEnabled: false });
    await page.goto(`/units/${tree.unitId}/numbers`);
    const menu = page.locator("#manage-menu");
    await menu.locator("summary").click();
    t.ok(await menu.getByRole("link", { name: "Delete Phone Numbers" }).isVisible(), "it opens");
    await Promise.all([
      page.waitForURL(`/units/${tree.unitId}/runs`),
      menu.getByRole("link", { name: "Runs" }).click(),
    ]);
    t.match(await textOf(page.locator("main")), /2 runs/, "the program's runs, seen from its unit");
    await page.getByLabel("Kind").selectOption("add");
    await Promise.all([
      page.waitForURL(/kind=add/),
      page.getByRole("button", { name: "Apply" }).click(),
    ]);
    const first = page.locator("tbody tr").first().getByRole("link");
    await Promise.all([page.waitForURL(/\/jobs\/\d+$/), first.click()]);
    t.ok(
      await page.getByLabel("Program: Q4 Reminders. Switch").isVisible(),
      "the run's page sits at its level",
    );
    harness.assertNoProblems(t, page);
    await page.context().close();
  },
);

t.test(
  "without JavaScript: a second Undo is the job's page saying it was undone already",
  TIMEOUT,
  async (t) => {
    await insertNumber(db, "+12133734253", { businessId: tree.businessId, unitId: tree.unitId });
    const page = await harness.newPage({
      javaScriptEnabled: false,
      // Chromium logs every 4xx page it loads; this one is meant.
      allowConsole: [/status of 409/],
    });
    const deletePage = `/units/${tree.unitId}/numbers/delete`;
    await page.goto(deletePage);
    await field(page).fill("+1 213 373 4253");
    await Promise.all([
      page.waitForURL(`${deletePage}/list`),
      page.getByRole("button", { name: "Check" }).click(),
    ]);
    await Promise.all([
      page.waitForURL(deletePage),
      page.getByRole("button", { name: "Delete…" }).click(),
    ]);
    await Promise.all([
      page.waitForURL(/\/jobs\/\d+$/),
      page.getByRole("button", { name: "Ok" }).click(),
    ]);
    const job = page.url();
    // Another tab on the same result, left open from before the Undo.
    const stale = await page.context().newPage();
    await stale.goto(job);
    await Promise.all([page.waitForURL(job), page.getByRole("button", { name: "Undo" }).click()]);
    const answer = stale.waitForResponse((r) => r.url().endsWith("/undo"));
    await stale.getByRole("button", { name: "Undo" }).click();
    t.equal((await answer).status(), 409, "refused");
    await stale.locator("#job-refusal").waitFor();
    t.match(
      await textOf(stale.getByRole("alert").filter({ hasText: "already undone" })),
      /^This run was already undone on \d{4}-\d\d-\d\d \d\d:\d\d UTC by .+@.+\.$/,
      "it says when and by whom",
    );
    t.ok(
      await stale.getByRole("heading", { level: 1, name: /^Delete run #\d+/ }).isVisible(),
      "on the job's own page",
    );
    t.equal(await stale.getByRole("button", { name: "Undo" }).count(), 0, "no Undo offered");
    t.ok(await stale.getByLabel(/^Business unit: Billing\. Switch/).isVisible(), "at its level");
    for (const width of [390, 1280]) {
      await stale.setViewportSize({ width, height: 844 });
      await stale.screenshot({
        path: `${SCREENSHOTS}/job-refused-undo-${width}.png`,
        fullPage: true,
      });
    }
    harness.assertNoProblems(t, stale);
    harness.assertNoProblems(t, page);
    await page.context().close();
  },
);

for (const javaScript of [true, false]) {
  t.test(
    `the sidebar's Manage Phone Numbers is a link at 390 and 1280 px, JavaScript ${javaScript ? "on" : "off"}`,
    TIMEOUT,
    async (t) => {
      const page = await harness.newPage({ javaScriptEnabled: javaScript });
      const dashboard = `/units/${tree.unitId}/numbers`;
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 844 });
        await page.goto(dashboard);
        const nav = page.getByRole("navigation", { name: "Main" });
        // On a phone the sidebar folds into the Menu button.
        if (width === 390) await page.locator(".nav-toggle").click();
        const link = nav.getByRole("link", { name: "Manage Phone Numbers" });
        t.ok(await link.isVisible(), `${width} px: it is a link`);
        for (const item of [
          "Add Phone Numbers",
          "Delete Phone Numbers",
          "Runs",
          "Recently Removed",
        ]) {
          t.ok(
            await nav.getByRole("link", { name: item }).isVisible(),
            `${width} px: ${item} stays`,
          );
        }
        if (javaScript && width === 390) {
          await page.screenshot({ path: `${SCREENSHOTS}/sidebar-manage-390.png` });
        }
        await Promise.all([page.waitForURL(`/units/${tree.unitId}/numbers/add`), link.click()]);
        t.ok(
          await page.getByRole("heading", { level: 1, name: /Add Phone Numbers/ }).isVisible(),
          `${width} px: it leads to Add Phone Numbers`,
        );
      }
      harness.assertNoProblems(t, page);
      await page.context().close();
    },
  );
}
