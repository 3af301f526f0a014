import type { Locator, Page } from "playwright-core";
import t from "tap";
import { formatNational } from "../../src/domain/phone-format.js";
import { COMMAND_LINE, createUser } from "../../src/services/people/users.js";
import { TEST_HASHING } from "../helpers/app.js";
import { startBrowserHarness } from "../helpers/browser.js";
import { insertNumber, makeTree, numberId } from "../helpers/fixtures.js";
import {
  assertFocus,
  eventually,
  focusedElement,
  hasFocus,
  readMarker,
  setMarker,
} from "../helpers/page-checks.js";

// Generous: the suite shares a 2-core machine with the other test files and Chromium.
const TIMEOUT = { timeout: 90_000 };

const harness = await startBrowserHarness();
t.teardown(harness.close);
const { db } = harness.database;

// One business for the whole file: the dashboard needs more than a page (50) of numbers, and
// each test below changes only numbers of its own, so none depends on another's leftovers.
const tree = await makeTree(db, "ACME");
const range = (from: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => from + i);
// Inserted oldest first; the dashboard sorts newest first, so the program's numbers lead page 1
// and the unit's oldest ones fill page 2.
const BUSINESS_NUMBERS = range(1200, 5).map((n) => `+1415728${n}`);
const UNIT_NUMBERS = range(5100, 25).map((n) => `+1310728${n}`);
const PROGRAM_NUMBERS = range(4200, 30).map((n) => `+1213373${n}`);
for (const e164 of BUSINESS_NUMBERS) await insertNumber(db, e164, { businessId: tree.businessId });
for (const e164 of UNIT_NUMBERS) {
  await insertNumber(db, e164, { businessId: tree.businessId, unitId: tree.unitId });
}
for (const e164 of PROGRAM_NUMBERS) {
  await insertNumber(db, e164, {
    businessId: tree.businessId,
    unitId: tree.unitId,
    programId: tree.programId,
  });
}

const unitDashboard = `/units/${tree.unitId}/numbers`;

/** The numbers the unit's dashboard lists now (others' tests may have removed some). */
async function unitTotal(): Promise<number> {
  const row = await db
    .selectFrom("phone_numbers")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("business_unit_id", "=", tree.unitId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const idOf = (e164: string) => numberId(db, e164);

const dialogOf = (page: Page): Locator => page.locator("dialog#dialog");
const rowOf = (page: Page, id: number): Locator => page.locator(`#number-results #number-${id}`);
const menuOf = (page: Page, id: number): Locator => page.locator(`#menu-number-${id}`);
const summaryOf = (page: Page, e164: string): Locator =>
  page.getByLabel(`Actions for ${formatNational(e164)}`, { exact: true });
const purposeCell = (row: Locator): Locator => row.locator("td.c-purpose");
const rangeOf = (page: Page): Locator => page.locator("#number-range");
const flashOf = (page: Page): Locator => page.locator("#flash");
/** A details list (dt/dd pairs) as an object, with whitespace collapsed. */
const detailsOf = (scope: Locator): Promise<Record<string, string>> =>
  scope.locator("dl").evaluate((list) => {
    const squash = (text: string | null) => (text ?? "").replace(/\s+/g, " ").trim();
    const pairs: Record<string, string> = {};
    for (const term of list.querySelectorAll("dt")) {
      pairs[squash(term.textContent)] = squash(term.nextElementSibling?.textContent ?? "");
    }
    return pairs;
  });

/** An element's text with whitespace collapsed, as a reader hears it. */
const textOf = async (locator: Locator): Promise<string> =>
  ((await locator.textContent()) ?? "").replace(/\s+/g, " ").trim();

const isMenuOpen = (menu: Locator): Promise<boolean> =>
  menu.evaluate((details) => (details as HTMLDetailsElement).open);

/** The E.164 numbers of the rows shown, in order (each row's number carries it as a title). */
const shownNumbers = (page: Page): Promise<string[]> =>
  page
    .locator("#number-results tbody tr td.phone abbr")
    .evaluateAll((cells) => cells.map((cell) => cell.getAttribute("title") ?? ""));

const urlOf = (page: Page): URL => new URL(page.url());

/** Waits until no htmx request is in flight (htmx marks requesting elements). */
const htmxSettled = (page: Page): Promise<boolean> =>
  eventually(async () => (await page.locator(".htmx-request").count()) === 0);

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

/** A step of a flow; once one fails, the later ones would only fail on its leftovers. */
const step = (t: TapTest, name: string, fn: (t: TapTest) => Promise<void>) =>
  t.test(name, { skip: t.passing() ? false : "an earlier step failed" }, fn);

t.test("with JavaScript: search and pages update the results in place", TIMEOUT, async (t) => {
  const total = await unitTotal();
  t.ok(total > 50, "more than a page of numbers in the unit");
  const page = await harness.newPage();
  await page.goto(unitDashboard);
  await setMarker(page);

  await step(t, "the first page", async (t) => {
    t.equal(await rangeOf(page).textContent(), `1–50 of ${total}`, "the range label");
    t.equal((await shownNumbers(page)).length, 50, "50 rows");
  });

  await step(t, "searching digits", async (t) => {
    await page.getByLabel("Search digits").fill("3734");
    await page.waitForURL((url) => url.searchParams.get("q") === "3734");
    const matching = PROGRAM_NUMBERS.length;
    await rangeOf(page).getByText(`1–${matching} of ${matching}`, { exact: true }).waitFor();
    t.pass("the range counts only the matches");
    const shown = await shownNumbers(page);
    t.equal(shown.length, matching, "one row per match");
    t.ok(
      shown.every((e164) => e164.includes("3734")),
      "every row holds the digits",
    );
    t.equal(urlOf(page).pathname, unitDashboard, "the same dashboard");
    t.equal(await readMarker(page), 1, "no page load");
  });

  await step(t, "clearing the search", async (t) => {
    await page.getByLabel("Search digits").fill("");
    await rangeOf(page).getByText(`1–50 of ${total}`, { exact: true }).waitFor();
    await page.waitForURL((url) => !url.searchParams.get("q"));
    t.pass("all numbers are back");
    t.equal(await readMarker(page), 1, "no page load");
  });

  await step(t, "page 2", async (t) => {
    const firstPage = await shownNumbers(page);
    const pages = page.getByRole("navigation", { name: "Pages" });
    await pages.getByRole("link", { name: "2", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("page") === "2");
    const label = `51–${total} of ${total}`;
    await rangeOf(page).getByText(label, { exact: true }).waitFor();
    // The click takes focus from the search box; nothing may then bring page 1 back.
    t.ok(await htmxSettled(page), "no request left in flight");
    t.equal(await rangeOf(page).textContent(), label, "page 2 stays");
    t.equal(urlOf(page).searchParams.get("page"), "2", "and so does the URL");
    const secondPage = await shownNumbers(page);
    t.equal(secondPage.length, total - 50, "the rest of the numbers");
    t.notOk(
      secondPage.some((e164) => firstPage.includes(e164)),
      "none of page 1's numbers",
    );
    t.equal(await pages.locator("[aria-current=page]").textContent(), "2", "2 is the current page");
    t.equal(await readMarker(page), 1, "no page load");

    await page.reload();
    t.equal(await readMarker(page), null, "reloaded as a full page");
    t.equal(urlOf(page).searchParams.get("page"), "2", "at the same address");
    t.equal(await rangeOf(page).textContent(), label, "showing page 2");
    t.same(await shownNumbers(page), secondPage, "with the same rows");
  });

  // Leaving the search box (to click a page link) fires its change event: the form must not
  // answer it with a page-1 request that races the link's page-2 request.
  await step(t, "paging through search results keeps the page", async (t) => {
    await page.goto(unitDashboard);
    // One digit every number holds: the search has as many results as the unit, 2 pages.
    await page.getByLabel("Search digits").fill("1");
    await page.waitForURL((url) => url.searchParams.get("q") === "1");
    await rangeOf(page).getByText(`1–50 of ${total}`, { exact: true }).waitFor();
    const pages = page.getByRole("navigation", { name: "Pages" });
    await pages.getByRole("link", { name: "2", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("page") === "2");
    t.ok(await htmxSettled(page), "no request left in flight");
    t.equal(urlOf(page).searchParams.get("q"), "1", "the search stays in the URL");
    const label = `51–${total} of ${total}`;
    await eventually(async () => (await rangeOf(page).textContent()) === label, 2_000);
    t.equal(await rangeOf(page).textContent(), label, "page 2 of the search is shown");
  });

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("keyboard: the row menu and the View Assignments dialog", TIMEOUT, async (t) => {
  const e164 = PROGRAM_NUMBERS[25] as string;
  const id = await idOf(e164);
  const page = await harness.newPage();
  await page.goto(unitDashboard);
  const menu = menuOf(page, id);
  const summary = summaryOf(page, e164);
  const dialog = dialogOf(page);
  const viewAssignments = menu.getByRole("link", { name: "View Assignments" });

  /** From the focused summary: Enter opens the menu, ArrowDown reaches its first item. */
  async function openFirstItem(t: TapTest): Promise<void> {
    await summary.focus();
    await page.keyboard.press("Enter");
    t.ok(await eventually(() => isMenuOpen(menu)), "Enter opens the menu");
    await page.keyboard.press("ArrowDown");
    await assertFocus(t, page, viewAssignments, "ArrowDown moves to View Assignments");
  }

  await step(t, "View Assignments, closed with Escape", async (t) => {
    // Reach the menu the way a keyboard does: Tab from the search box until it has focus.
    await page.getByLabel("Search digits").focus();
    const reached = await eventually(async () => {
      await page.keyboard.press("Tab");
      return hasFocus(summary);
    }, 20_000);
    t.ok(reached, "Tab reaches the row's menu button", { focused: await focusedElement(page) });

    await openFirstItem(t);
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "visible" });
    await dialog.getByRole("heading", { name: `Assignments of ${formatNational(e164)}` }).waitFor();
    t.notOk(await isMenuOpen(menu), "the menu closes as the dialog opens");
    const details = await detailsOf(dialog);
    t.equal(details["Phone number"], `${formatNational(e164)} (${e164})`, "the number");
    t.equal(details.Business, "ACME Corp", "the business");
    t.equal(details["Business unit"], "Billing", "the unit");
    t.equal(details.Program, "Q4 Reminders", "the program");
    t.equal(details["Display name"], "ACME Billing", "the display name it shows");
    t.equal(details["Program duration"], "2026-01-01 – open end Active", "duration and status");
    t.equal(details["Call purpose"], "Customer Service", "the call purpose");
    await assertFocus(t, page, dialog.getByRole("link", { name: "Close" }), "Close has focus");

    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await assertFocus(t, page, summary, "focus returns to the row's menu button");
  });

  await step(t, "View Assignments, closed with Close", async (t) => {
    await openFirstItem(t);
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "visible" });
    const close = dialog.getByRole("link", { name: "Close" });
    await assertFocus(t, page, close, "Close has focus");
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    t.equal(urlOf(page).pathname, unitDashboard, "Close stays on the dashboard");
    await assertFocus(t, page, summary, "focus returns to the row's menu button");
  });

  await step(t, "Escape closes an open menu", async (t) => {
    await summary.focus();
    await page.keyboard.press("Enter");
    t.ok(await eventually(() => isMenuOpen(menu)), "Enter opens the menu");
    await page.keyboard.press("Escape");
    t.ok(await eventually(async () => !(await isMenuOpen(menu))), "Escape closes it");
    await assertFocus(t, page, summary, "focus stays on its button");

    await openFirstItem(t);
    await page.keyboard.press("Escape");
    t.ok(await eventually(async () => !(await isMenuOpen(menu))), "Escape from an item closes it");
    await assertFocus(t, page, summary, "and focus goes back to its button");
  });

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("with JavaScript: Edit changes the call purpose in a dialog", TIMEOUT, async (t) => {
  const e164 = PROGRAM_NUMBERS[29] as string;
  const national = formatNational(e164);
  const id = await idOf(e164);
  const page = await harness.newPage();
  await page.goto(unitDashboard);
  await setMarker(page);
  const dialog = dialogOf(page);
  const row = rowOf(page, id);
  const summary = summaryOf(page, e164);

  await step(t, "Edit, warn on Do Not Originate, save", async (t) => {
    t.equal(await purposeCell(row).textContent(), "Customer Service", "the purpose before");
    await summary.click();
    await menuOf(page, id).getByRole("link", { name: "Edit" }).click();
    await dialog.waitFor({ state: "visible" });
    await dialog.getByRole("heading", { name: `Edit ${national}` }).waitFor();
    const purpose = dialog.getByLabel("Call purpose");
    t.equal(
      await purpose.locator("option:checked").textContent(),
      "Customer Service",
      "the current purpose is selected",
    );
    await assertFocus(t, page, purpose, "the purpose has focus");

    const warning = page.locator("#dno-warning");
    t.notOk(await warning.isVisible(), "no Do Not Originate warning at first");
    await purpose.selectOption({ label: "Do Not Originate" });
    await warning.waitFor({ state: "visible" });
    t.match(await warning.textContent(), /must never place calls/, "Do Not Originate warns");
    await purpose.selectOption({ label: "Survey" });
    await warning.waitFor({ state: "hidden" });
    t.pass("another purpose hides the warning");

    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "hidden" });
    await flashOf(page).getByText(`${national} now has the call purpose Survey.`).waitFor();
    t.pass("the flash names the new purpose");
    t.ok(
      await eventually(async () => (await purposeCell(row).textContent()) === "Survey"),
      "the row shows the new purpose",
    );
    t.equal(urlOf(page).pathname, unitDashboard, "the URL is unchanged");
    t.equal(await readMarker(page), 1, "no page load");
    await assertFocus(t, page, summary, "focus returns to the row's menu button");
  });

  await step(t, "the history lists the change", async (t) => {
    await summary.click();
    await menuOf(page, id).getByRole("link", { name: "View Assignments" }).click();
    await dialog.waitFor({ state: "visible" });
    const history = dialog.locator("ol.history");
    await history.waitFor();
    t.match(
      await history.textContent(),
      `Changed the call purpose of ${national} from Customer Service to Survey`,
      "the change is in the history",
    );
    t.match(await history.textContent(), "admin@example.test", "with who made it");
    await dialog.getByRole("link", { name: "Close" }).click();
    await dialog.waitFor({ state: "hidden" });
    t.equal(await readMarker(page), 1, "no page load");
  });

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("with JavaScript: Remove warns, can be cancelled, then removes", TIMEOUT, async (t) => {
  const e164 = PROGRAM_NUMBERS[28] as string;
  const national = formatNational(e164);
  const id = await idOf(e164);
  const total = await unitTotal();
  const page = await harness.newPage();
  await page.goto(unitDashboard);
  await setMarker(page);
  const dialog = dialogOf(page);
  const summary = summaryOf(page, e164);

  const openRemove = async () => {
    await summary.click();
    await menuOf(page, id).getByRole("link", { name: "Remove" }).click();
    await dialog.waitFor({ state: "visible" });
    await dialog.getByRole("heading", { name: `Remove ${national}?` }).waitFor();
  };

  await step(t, "the warning, then Cancel", async (t) => {
    await openRemove();
    const warning = await textOf(dialog.getByRole("alert"));
    t.match(
      warning,
      `${national} will no longer display ACME Billing`,
      "the warning names the number and the display name it stops showing",
    );
    const cancel = dialog.getByRole("link", { name: "Cancel" });
    await assertFocus(t, page, cancel, "the safe choice, Cancel, has focus");
    await cancel.click();
    await dialog.waitFor({ state: "hidden" });
    await assertFocus(t, page, summary, "focus returns to the row's menu button");
    t.equal(await rowOf(page, id).count(), 1, "the row stays");
    t.equal(await rangeOf(page).textContent(), `1–50 of ${total}`, "the total is unchanged");
    t.equal(await unitTotal(), total, "nothing was removed");
  });

  await step(t, "Remove", async (t) => {
    await openRemove();
    await dialog.getByRole("button", { name: "Remove" }).click();
    await dialog.waitFor({ state: "hidden" });
    await flashOf(page)
      .getByText(`Removed ${national}. It no longer displays ACME Billing.`)
      .waitFor();
    t.pass("the flash confirms");
    await rowOf(page, id).waitFor({ state: "detached" });
    t.pass("the row disappears");
    await rangeOf(page)
      .getByText(`1–50 of ${total - 1}`, { exact: true })
      .waitFor();
    t.pass("the total drops by one");
    t.equal(await unitTotal(), total - 1, "the number is gone from the database");
    t.equal(urlOf(page).pathname, unitDashboard, "the URL is unchanged");
    t.equal(await readMarker(page), 1, "no page load");
    await assertFocus(t, page, page.locator("#main"), "focus goes to the main content");
  });

  await step(t, "the confirmation's Undo puts it back", async (t) => {
    await Promise.all([
      page.waitForURL((url) => url.pathname === unitDashboard),
      flashOf(page).getByRole("button", { name: "Undo" }).click(),
    ]);
    await flashOf(page).getByText(`Restored ${national} where it was.`).waitFor();
    t.pass("the flash says so");
    t.equal(await unitTotal(), total, "the number is back in the database");
    t.equal(await rowOf(page, await idOf(e164)).count(), 1, "and on the dashboard");
  });

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("without JavaScript: search, menus and forms work as pages", TIMEOUT, async (t) => {
  const edited = PROGRAM_NUMBERS[27] as string;
  const removed = PROGRAM_NUMBERS[26] as string;
  const editedId = await idOf(edited);
  const removedId = await idOf(removed);
  const page = await harness.newPage({ javaScriptEnabled: false });
  await page.goto(unitDashboard);
  let searchUrl = "";

  await step(t, "the search form submits as GET", async (t) => {
    await page.getByLabel("Search digits").fill("3734");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("q") === "3734");
    searchUrl = page.url();
    t.equal(urlOf(page).pathname, unitDashboard, "the same dashboard");
    const shown = await shownNumbers(page);
    t.ok(shown.length > 0, "some numbers match");
    t.ok(
      shown.every((e164) => e164.includes("3734")),
      "only numbers holding the digits",
    );
    t.equal(await page.getByLabel("Search digits").inputValue(), "3734", "the box keeps them");
  });

  await step(t, "the menu is a native disclosure", async (t) => {
    const menu = menuOf(page, editedId);
    t.notOk(await isMenuOpen(menu), "closed at first");
    t.notOk(await menu.getByRole("link", { name: "Edit" }).isVisible(), "its items are hidden");
    await summaryOf(page, edited).click();
    t.ok(await isMenuOpen(menu), "a click opens it");
    t.ok(await menu.getByRole("link", { name: "Edit" }).isVisible(), "its items show");
  });

  await step(t, "View Assignments is a page of its own", async (t) => {
    await menuOf(page, editedId).getByRole("link", { name: "View Assignments" }).click();
    await page.waitForURL((url) => url.pathname === `/numbers/${editedId}/assignments`);
    await page.getByRole("heading", { name: `Assignments of ${formatNational(edited)}` }).waitFor();
    t.notOk(await dialogOf(page).isVisible(), "not in a dialog");
    const details = await detailsOf(page.locator(".dialog-page"));
    t.equal(details["Display name"], "ACME Billing", "the display name it shows");
    await page.getByRole("link", { name: "Close" }).click();
    await page.waitForURL((url) => url.pathname.endsWith("/numbers"));
    t.equal(await rowOf(page, editedId).count(), 1, "Close leads to a dashboard with the number");
    const back = urlOf(page);
    const from = new URL(searchUrl);
    t.same(
      [back.pathname, back.searchParams.get("q")],
      [from.pathname, from.searchParams.get("q")],
      "Close goes back to the dashboard and search it came from",
    );
    await page.goto(searchUrl);
  });

  await step(t, "Edit is a page whose form posts back to the dashboard", async (t) => {
    await summaryOf(page, edited).click();
    await menuOf(page, editedId).getByRole("link", { name: "Edit" }).click();
    await page.waitForURL(`**/numbers/${editedId}/edit?**`);
    await page.getByRole("heading", { name: `Edit ${formatNational(edited)}` }).waitFor();
    const purpose = page.getByLabel("Call purpose");
    t.equal(
      await purpose.locator("option:checked").textContent(),
      "Customer Service",
      "the current purpose is selected",
    );
    // CSS alone (:has) shows the Do Not Originate warning: no script runs on this page.
    const warning = page.locator("#dno-warning");
    t.notOk(await warning.isVisible(), "no Do Not Originate warning at first");
    await purpose.selectOption({ label: "Do Not Originate" });
    await warning.waitFor({ state: "visible" });
    t.match(await warning.textContent(), /must never place calls/, "Do Not Originate warns");
    await purpose.selectOption({ label: "Appointment Reminder" });
    await warning.waitFor({ state: "hidden" });
    t.pass("another purpose hides the warning");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL((url) => url.pathname === unitDashboard);
    t.equal(urlOf(page).searchParams.get("q"), "3734", "back on the search it came from");
    await flashOf(page)
      .getByText(`${formatNational(edited)} now has the call purpose Appointment Reminder.`)
      .waitFor();
    t.pass("with the flash");
    t.equal(
      await purposeCell(rowOf(page, editedId)).textContent(),
      "Appointment Reminder",
      "the row shows the new purpose",
    );
  });

  await step(t, "Remove is a page that warns, then removes", async (t) => {
    const before = await unitTotal();
    await summaryOf(page, removed).click();
    await menuOf(page, removedId).getByRole("link", { name: "Remove" }).click();
    await page.waitForURL(`**/numbers/${removedId}/remove?**`);
    const national = formatNational(removed);
    await page.getByRole("heading", { name: `Remove ${national}?` }).waitFor();
    t.match(
      await textOf(page.getByRole("alert")),
      `${national} will no longer display ACME Billing`,
      "the warning names the number and its display name",
    );
    await page.getByRole("button", { name: "Remove" }).click();
    await page.waitForURL((url) => url.pathname === unitDashboard);
    t.equal(urlOf(page).searchParams.get("q"), "3734", "back on the search it came from");
    await flashOf(page)
      .getByText(`Removed ${national}. It no longer displays ACME Billing.`)
      .waitFor();
    t.pass("with the flash");
    t.equal(await rowOf(page, removedId).count(), 0, "the number is gone from the list");
    t.equal(await unitTotal(), before - 1, "and from the database");
    await Promise.all([
      page.waitForURL((url) => url.pathname === unitDashboard),
      flashOf(page).getByRole("button", { name: "Undo" }).click(),
    ]);
    await flashOf(page).getByText(`Restored ${national} where it was.`).waitFor();
    t.equal(await unitTotal(), before, "Undo, a plain form, put it back");
    t.equal(urlOf(page).searchParams.get("q"), "3734", "on the same search");
  });

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("a viewer's menu only offers View Assignments", TIMEOUT, async (t) => {
  const email = "vera@acme.test";
  const { oneTimePassword } = await createUser(
    db,
    COMMAND_LINE,
    { email, role: "viewer", scope: `unit:${tree.unitId}` },
    TEST_HASHING,
  );
  // Straight to the dashboard: choosing a first password has its own test (sign-in).
  await db
    .updateTable("users")
    .set({ must_change_password: 0 })
    .where("email", "=", email)
    .execute();

  const page = await harness.newPage({ signedIn: false });
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(oneTimePassword);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== "/login"),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  await page.goto(unitDashboard);

  const e164 = PROGRAM_NUMBERS[0] as string;
  const menu = menuOf(page, await idOf(e164));
  await summaryOf(page, e164).click();
  t.ok(await eventually(() => isMenuOpen(menu)), "the menu opens");
  t.same(
    await menu.locator(".menu-list a").allTextContents(),
    ["View Assignments"],
    "View Assignments is the only item",
  );
  t.equal(
    await page.getByRole("link", { name: "Edit", exact: true }).count(),
    0,
    "no Edit anywhere",
  );
  t.equal(await page.getByRole("link", { name: "Remove", exact: true }).count(), 0, "no Remove");

  await menu.getByRole("link", { name: "View Assignments" }).click();
  const dialog = dialogOf(page);
  await dialog.waitFor({ state: "visible" });
  await dialog.getByRole("heading", { name: `Assignments of ${formatNational(e164)}` }).waitFor();
  t.pass("the viewer can still see where the number is assigned");

  harness.assertNoProblems(t, page);
  await page.context().close();
});
