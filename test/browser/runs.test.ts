/**
 * Issue 12 in a real browser, beyond the Delete List (delete-list.test.ts): the Add List with a
 * call purpose per entry and its result, with and without JavaScript; Move here answering in
 * the dialog; the dashboard's Manage Phone Numbers ▾ as links without JavaScript, leading to
 * Runs and from there to a run's result at its level.
 */
import type { Locator, Page } from "playwright-core";
import t from "tap";
import { startBrowserHarness } from "../helpers/browser.js";
import { insertNumber, makeTree } from "../helpers/fixtures.js";
import { readMarker, setMarker } from "../helpers/page-checks.js";

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
