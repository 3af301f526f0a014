/**
 * Every flow of the product with the keyboard alone (issue 6, item 6): once a page is open,
 * these tests only press keys (Tab, Shift+Tab, Enter, Space, arrows, Escape) and type. Every
 * element that Tab reaches must show where focus is (an outline or a box-shadow) in a colour
 * that stands out (3:1) from the background around it.
 *
 * One server and one browser for the file; pages share the admin's one sign-in.
 */
import type { Locator, Page } from "playwright-core";
import t from "tap";
import { formatNational } from "../../src/domain/phone-format.js";
import { removeNumber } from "../../src/services/numbers/numbers.js";
import { COMMAND_LINE, createUser } from "../../src/services/people/users.js";
import { TEST_HASHING } from "../helpers/app.js";
import { startBrowserHarness } from "../helpers/browser.js";
import { hasNumber, insertNumber, makeTree, numberId } from "../helpers/fixtures.js";
import { assertFocus, eventually, focusedElement, hasFocus } from "../helpers/page-checks.js";

// Generous: the suite shares a 2-core machine with the other test files and Chromium.
const TIMEOUT = { timeout: 90_000 };

const harness = await startBrowserHarness();
t.teardown(harness.close);
const { db } = harness.database;

const tree = await makeTree(db, "ACME");
const { businessId, unitId, programId } = tree;
const atProgram = { businessId, unitId, programId };
const atUnit = { businessId, unitId };
const PROGRAM_NUMBERS = ["+12133734253", "+12133734254", "+12133734255"];
const UNIT_NUMBERS = ["+13107284411", "+13107284412"];
for (const e164 of PROGRAM_NUMBERS) await insertNumber(db, e164, atProgram);
for (const e164 of UNIT_NUMBERS) await insertNumber(db, e164, atUnit);

const exists = (e164: string) => hasNumber(db, e164);
const idOf = (e164: string) => numberId(db, e164);

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

/**
 * The focused element's focus indicator (a computed outline, else a box-shadow) and its
 * contrast against the background around the element, or null when it shows none.
 */
const focusIndicator = (page: Page): Promise<{ ring: string; contrast: number } | null> =>
  page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const rgba = (colour: string): number[] => {
      const [r = 0, g = 0, b = 0, a = 1] = (colour.match(/[\d.]+/g) ?? []).map(Number);
      return [r, g, b, a];
    };
    // The first opaque background behind the element: what the ring is seen against.
    let around = [255, 255, 255];
    for (let e = element.parentElement; e; e = e.parentElement) {
      const [r = 0, g = 0, b = 0, a = 0] = rgba(getComputedStyle(e).backgroundColor);
      if (a === 1) {
        around = [r, g, b];
        break;
      }
    }
    const luminance = ([r, g, b]: number[]): number => {
      const channel = (v: number) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r ?? 0) + 0.7152 * channel(g ?? 0) + 0.0722 * channel(b ?? 0);
    };
    const contrastWith = (colour: string): number => {
      const [r = 0, g = 0, b = 0, a = 1] = rgba(colour);
      const seen = [r, g, b].map((v, i) => a * v + (1 - a) * (around[i] ?? 0));
      const [hi, lo] = [luminance(seen), luminance(around)].sort((x, y) => y - x);
      return Math.round((((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05)) * 100) / 100;
    };
    if (style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0) {
      return {
        ring: `outline ${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}`,
        contrast: contrastWith(style.outlineColor),
      };
    }
    if (style.boxShadow !== "none") {
      const colour = style.boxShadow.match(/rgba?\([^)]*\)/)?.[0] ?? "rgb(0, 0, 0)";
      return { ring: `box-shadow ${style.boxShadow}`, contrast: contrastWith(colour) };
    }
    return null;
  });

/** A focus indicator must stand out from its surroundings as much as any other control. */
const MIN_RING_CONTRAST = 3;

/** The kinds of element Tab reached with a visible focus indicator, over the whole file. */
const ringsSeen = new Set<string>();

/**
 * Keyboard moves within one flow: Tab (or Shift+Tab) until a target has focus, noting every
 * element passed that showed no focus indicator.
 */
class Keys {
  readonly unringed: string[] = [];
  constructor(readonly page: Page) {}

  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }

  /** Notes whether the focused element shows that it has focus. */
  async noteRing(): Promise<void> {
    const ring = await focusIndicator(this.page);
    const tag = await this.page.evaluate(() => document.activeElement?.tagName.toLowerCase());
    if (ring && ring.contrast >= MIN_RING_CONTRAST) ringsSeen.add(tag ?? "?");
    else {
      const what = ring ? `${ring.ring}, contrast ${ring.contrast}:1` : "no focus indicator";
      this.unringed.push(`${await focusedElement(this.page)} (${what})`);
    }
  }

  /** Tabs (forward, or back with Shift) until `target` has focus; false if it never does. */
  async tabTo(target: Locator, { back = false, max = 80 } = {}): Promise<boolean> {
    for (let i = 0; i < max; i += 1) {
      await this.page.keyboard.press(back ? "Shift+Tab" : "Tab");
      if (await hasFocus(target)) {
        await this.noteRing();
        return true;
      }
      const inPage = await this.page.evaluate(
        () => document.activeElement !== null && document.activeElement !== document.body,
      );
      if (inPage) await this.noteRing();
    }
    return false;
  }

  /** Asserts Tab reaches `target`. */
  async reach(t: TapTest, target: Locator, what: string, back = false): Promise<void> {
    const reached = await this.tabTo(target, { back });
    t.ok(reached, `${back ? "Shift+Tab" : "Tab"} reaches ${what}`, {
      focused: reached ? undefined : await focusedElement(this.page),
    });
  }

  assertRings(t: TapTest): void {
    t.same(
      this.unringed,
      [],
      `every element Tab reached showed a focus indicator of ${MIN_RING_CONTRAST}:1 or more`,
    );
  }
}

/** Waits until no htmx request is in flight. */
const settled = (page: Page): Promise<boolean> =>
  eventually(async () => (await page.locator(".htmx-request").count()) === 0);

const textOf = async (locator: Locator): Promise<string> =>
  ((await locator.textContent()) ?? "").replace(/\s+/g, " ").trim();

const shownNumbers = (page: Page): Promise<string[]> =>
  page
    .locator("#number-results tbody tr td.phone abbr")
    .evaluateAll((cells) => cells.map((cell) => cell.getAttribute("title") ?? ""));

t.test("sign in", TIMEOUT, async (t) => {
  const email = "kay@acme.test";
  const { oneTimePassword } = await createUser(
    db,
    COMMAND_LINE,
    { email, role: "editor", scope: `unit:${unitId}` },
    TEST_HASHING,
  );
  await db
    .updateTable("users")
    .set({ must_change_password: 0 })
    .where("email", "=", email)
    .execute();
  const page = await harness.newPage({ signedIn: false });
  const keys = new Keys(page);
  await page.goto("/login");

  await assertFocus(t, page, page.getByLabel("Email"), "the email field has focus at once");
  await keys.noteRing();
  await page.keyboard.type(email);
  await keys.reach(t, page.getByLabel("Password"), "the password");
  await page.keyboard.type(oneTimePassword);
  await keys.reach(t, page.getByRole("button", { name: "Sign in" }), "Sign in");
  await Promise.all([
    page.waitForURL((url) => url.pathname === `/units/${unitId}/numbers`),
    keys.press("Enter"),
  ]);
  t.pass("signed in, on the user's own unit");

  await keys.reach(t, page.getByRole("button", { name: "Sign out" }), "Sign out");
  await Promise.all([page.waitForURL("**/login"), keys.press("Space")]);
  await page.getByText("You are signed out.").waitFor();
  t.pass("and signed out again");
  keys.assertRings(t);
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("search and filter the dashboard", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  const keys = new Keys(page);
  await page.goto(`/units/${unitId}/numbers`);

  // The first Tab stop skips the navigation.
  await keys.reach(t, page.getByRole("link", { name: "Skip to content" }), "the skip link");
  await keys.press("Enter");
  await assertFocus(t, page, page.locator("#main"), "Enter moves focus to the main content");
  await keys.reach(t, page.getByLabel("Search digits"), "the search");
  await page.keyboard.type("3734");
  await page.waitForURL((url) => url.searchParams.get("q") === "3734");
  t.ok(
    await eventually(async () => (await shownNumbers(page)).length === PROGRAM_NUMBERS.length),
    "the search finds the numbers holding the digits",
  );
  const status = page.locator("#results-status");
  t.ok(
    await eventually(async () => (await textOf(status)) === "Phone numbers 1–3 of 3"),
    "and the status region says so",
    { said: await textOf(status) },
  );

  await keys.reach(t, page.getByLabel("Status"), "the status filter");
  // Active, then on to Unassigned: the arrows change a closed select's value.
  await keys.press("ArrowDown");
  await page.waitForURL((url) => url.searchParams.get("status") === "active");
  await settled(page);
  t.same(
    (await shownNumbers(page)).sort(),
    [...PROGRAM_NUMBERS].sort(),
    "Active: the program's numbers",
  );
  // One step at a time, each answered before the next, as a person reading the results would.
  for (const status of ["scheduled", "expired", "unassigned"]) {
    await keys.press("ArrowDown");
    await page.waitForURL((url) => url.searchParams.get("status") === status);
    await settled(page);
  }
  t.ok(
    await eventually(async () => (await shownNumbers(page)).length === 0),
    "Unassigned with 3734: none",
  );
  t.ok(
    await eventually(async () => (await textOf(status)).startsWith("No phone numbers match")),
    "the status region says nothing matches",
    { said: await textOf(status) },
  );

  // Clear the search with the keyboard: back to the search box, select all, delete.
  await keys.reach(t, page.getByLabel("Search digits"), "the search again", true);
  await keys.press("ControlOrMeta+A");
  await keys.press("Backspace");
  await page.waitForURL((url) => !url.searchParams.get("q"));
  t.ok(
    await eventually(
      async () => (await shownNumbers(page)).sort().join() === [...UNIT_NUMBERS].sort().join(),
    ),
    "Unassigned alone: the unit's own numbers",
  );
  t.equal(await page.getByLabel("Status").inputValue(), "unassigned", "the filter stays");

  // At business level, choosing a unit reloads the filters too: focus stays on the unit.
  await page.goto(`/businesses/${businessId}/numbers`);
  const unit = page.getByLabel("Business unit", { exact: true });
  await keys.reach(t, unit, "the unit filter");
  await keys.press("ArrowDown");
  await page.waitForURL((url) => url.searchParams.get("unit") === String(unitId));
  await settled(page);
  await assertFocus(t, page, unit, "focus stays on the unit filter after the filters reload");
  await keys.reach(t, page.getByLabel("Program", { exact: true }), "the program filter");
  keys.assertRings(t);
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("a row's menu: edit the call purpose in the dialog", TIMEOUT, async (t) => {
  const e164 = PROGRAM_NUMBERS[0] as string;
  const national = formatNational(e164);
  const id = await idOf(e164);
  const page = await harness.newPage();
  const keys = new Keys(page);
  await page.goto(`/units/${unitId}/numbers`);
  const summary = page.getByLabel(`Actions for ${national}`, { exact: true });
  const dialog = page.locator("dialog#dialog");

  await keys.reach(t, summary, "the row's menu button");
  await keys.press("Enter");
  await keys.press("ArrowDown");
  await keys.press("ArrowDown");
  await assertFocus(
    t,
    page,
    page.locator(`#menu-number-${id}`).getByRole("link", { name: "Edit" }),
    "ArrowDown twice reaches Edit",
  );
  await keys.noteRing();
  await keys.press("Enter");
  await dialog.getByRole("heading", { name: `Edit ${national}` }).waitFor();
  const purpose = dialog.getByLabel("Call purpose");
  await assertFocus(t, page, purpose, "the dialog opens on the call purpose");
  await keys.noteRing();
  const before = await purpose.inputValue();
  await keys.press("ArrowDown");
  const chosen = await textOf(purpose.locator("option:checked"));
  t.not(await purpose.inputValue(), before, `ArrowDown chooses another purpose (${chosen})`);
  await keys.reach(t, dialog.getByRole("button", { name: "Save" }), "Save");
  await keys.press("Enter");
  await dialog.waitFor({ state: "hidden" });
  await page
    .locator("#flash")
    .getByText(`${national} now has the call purpose ${chosen}.`)
    .waitFor();
  t.pass("the flash names the new purpose");
  await assertFocus(t, page, summary, "focus returns to the row's menu button");
  t.ok(
    await eventually(async () =>
      (await textOf(page.locator(`#number-${id} td.c-purpose`))).startsWith(chosen),
    ),
    "the row shows the new purpose",
  );

  // Escape leaves the dialog without saving, focus back on the menu.
  await keys.press("Enter");
  await keys.press("ArrowDown");
  await keys.press("ArrowDown");
  await keys.press("Enter");
  await dialog.getByRole("heading", { name: `Edit ${national}` }).waitFor();
  await keys.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  await assertFocus(t, page, summary, "Escape closes it, focus back on the menu button");
  keys.assertRings(t);
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("add two numbers at a program, from the Manage Phone Numbers menu", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  const keys = new Keys(page);
  await page.goto(`/programs/${programId}/numbers`);

  // The header's Manage Phone Numbers ▾: a <details> menu with app.js's arrow keys.
  const menu = page.locator("#manage-menu");
  const summary = menu.locator("summary");
  await keys.reach(t, summary, "Manage Phone Numbers");
  await keys.press("ArrowDown");
  const add = menu.getByRole("link", { name: "Add Phone Numbers" });
  await assertFocus(t, page, add, "ArrowDown opens it on its first entry");
  await keys.noteRing();
  await keys.press("ArrowDown");
  await assertFocus(t, page, menu.getByRole("link", { name: "Runs" }), "then the next");
  await keys.press("ArrowUp");
  await assertFocus(t, page, add, "and back");
  await keys.press("Escape");
  t.equal(await menu.getAttribute("open"), null, "Escape closes it");
  await assertFocus(t, page, summary, "focus back on the menu button");
  await keys.press("ArrowDown");
  await assertFocus(t, page, add, "open again");
  await Promise.all([page.waitForURL("**/numbers/add"), keys.press("Enter")]);

  const field = page.getByLabel("Phone number", { exact: true });
  await assertFocus(t, page, field, "the number field has focus");
  await keys.noteRing();
  await page.keyboard.type("(213) 373-4290");
  await keys.press("Enter");
  await eventually(async () => (await page.locator("#entry-list > li").count()) === 1);
  await assertFocus(t, page, field, "Enter added it; focus is back in the field");
  await page.keyboard.type("+1 213 373 4291");
  await keys.press("Enter");
  await eventually(async () => (await page.locator("#entry-list > li").count()) === 2);
  await assertFocus(t, page, field, "the second one too");
  const purpose = page.getByLabel("Call purpose of entry 2");
  await keys.reach(t, purpose, "entry 2's call purpose");
  t.equal(
    await textOf(purpose.locator("option:checked")),
    "Customer Service",
    "the program's purpose is chosen",
  );
  await keys.reach(t, page.getByRole("button", { name: "Add numbers" }), "Add numbers");
  await keys.press("Enter");
  const dialog = page.locator("dialog#dialog");
  const added = dialog.getByRole("heading", { name: /^Added Numbers/ });
  await added.waitFor();
  t.equal(await textOf(added), "Added Numbers (2)", "the result, in the dialog");
  t.equal(
    await textOf(dialog.getByRole("heading", { name: /^Rejected Numbers/ })),
    "Rejected Numbers (0)",
  );
  await assertFocus(t, page, dialog.getByRole("link", { name: "Ok" }), "Ok has focus");
  await keys.noteRing();
  t.ok((await exists("+12133734290")) && (await exists("+12133734291")), "both are in the portal");
  await keys.press("Enter");
  await dialog.waitFor({ state: "hidden" });
  t.equal(await page.locator("#entry-list > li").count(), 0, "Ok: the list behind is empty");
  keys.assertRings(t);
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("build a delete list, delete, confirm, read the result", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  const keys = new Keys(page);
  await page.goto(`/units/${unitId}/numbers/delete`);
  const field = page.getByLabel("Phone number", { exact: true });
  const entries = page.locator("#entry-list > li");
  await assertFocus(t, page, field, "the number field has focus");
  await keys.noteRing();
  let count = 0;
  for (const number of ["(213) 373-4254", "1-800-FLOWERS", "310.728.4411", "213 373 4255"]) {
    await page.keyboard.type(number);
    await keys.press("Enter");
    count += 1;
    const n = count;
    await eventually(async () => (await entries.count()) === n);
    await assertFocus(t, page, field, `after entry ${n}, focus is back in the field`);
  }
  t.equal(await entries.count(), 4, "Enter adds each to the list");

  // The last entry is a mistake: its ✕ takes it out again.
  await keys.reach(t, page.getByRole("button", { name: "Remove entry 4, 213 373 4255" }), "its ✕");
  await keys.press("Enter");
  await eventually(async () => (await entries.count()) === 3);
  t.equal(await entries.count(), 3, "three are left");

  const deleteButton = page.getByRole("button", { name: "Delete…" });
  const dialog = page.locator("dialog#dialog");
  await keys.reach(t, deleteButton, "Delete…");
  await keys.press("Enter");
  await dialog.getByRole("button", { name: "Cancel" }).waitFor();
  await assertFocus(t, page, dialog.getByRole("button", { name: "Cancel" }), "Cancel has focus");
  await keys.noteRing();
  await keys.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  await assertFocus(t, page, deleteButton, "Escape goes back to Delete…");
  t.ok(await exists("+12133734254"), "nothing removed");

  await keys.press("Enter");
  await dialog.getByRole("button", { name: "Ok" }).waitFor();
  t.equal(
    await textOf(dialog.getByRole("heading", { level: 2 })),
    "Delete 2 numbers from ACME Corp › Billing?",
    "the dialog says how many valid numbers and where",
  );
  await keys.reach(t, dialog.getByRole("button", { name: "Ok" }), "Ok", true);
  await keys.press("Enter");
  const removed = dialog.getByRole("heading", { name: /^Removed Numbers/ });
  await removed.waitFor();
  t.equal(await textOf(removed), "Removed Numbers (2)");
  t.equal(
    await textOf(dialog.getByRole("heading", { name: /^Rejected Numbers/ })),
    "Rejected Numbers (1)",
  );
  t.match(await textOf(dialog.getByRole("alert")), /Some numbers were rejected/, "the warning");
  const [, given, reason, code] = await dialog.locator(".data-table tbody tr td").allTextContents();
  t.same([given, code], ["1-800-FLOWERS", "INVALID_FORMAT"], "the rejected entry, as given");
  t.match(reason, /^Invalid format: Letters are not allowed/, "and why");
  t.notOk(await exists("+12133734254"), "removed");
  // The result's actions are in reach too.
  await keys.reach(t, dialog.getByRole("button", { name: "Undo" }), "Undo", true);
  await keys.reach(t, dialog.getByRole("link", { name: "Download CSV" }), "Download CSV", true);
  keys.assertRings(t);
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("restore from Recently Removed", TIMEOUT, async (t) => {
  const e164 = UNIT_NUMBERS[1] as string;
  await removeNumber(db, harness.admin, await idOf(e164));
  const page = await harness.newPage();
  const keys = new Keys(page);
  await page.goto(`/units/${unitId}/numbers`);

  const removed = page.getByRole("navigation", { name: "Main" }).getByRole("link", {
    name: "Recently Removed",
  });
  await keys.reach(t, removed, "Recently Removed in the navigation");
  await Promise.all([page.waitForURL("**/numbers/removed"), keys.press("Enter")]);
  const restore = page.getByRole("button", { name: `Restore ${formatNational(e164)}` });
  await keys.reach(t, restore, "its Restore button");
  await keys.press("Space");
  await page
    .locator("#flash")
    .getByText(`Restored ${formatNational(e164)} where it was.`)
    .waitFor();
  t.pass("the flash says so");
  t.ok(await exists(e164), "the number is back");
  keys.assertRings(t);
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("Tab showed a focus indicator on links, buttons, fields and menus", async (t) => {
  for (const tag of ["a", "button", "input", "select", "textarea", "summary"]) {
    t.ok(ringsSeen.has(tag), `a focused ${tag} showed one`);
  }
});
