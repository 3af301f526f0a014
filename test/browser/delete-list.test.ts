import type { Locator, Page } from "playwright-core";
import t from "tap";
import { PHONE_INPUT_MESSAGES } from "../../src/domain/phone-input.js";
import { startBrowserHarness } from "../helpers/browser.js";
import { hasNumber, insertNumber, makeTree } from "../helpers/fixtures.js";
import { assertFocus, eventually } from "../helpers/page-checks.js";

// Generous: the suite shares a 2-core machine with the other test files and Chromium.
const TIMEOUT = { timeout: 90_000 };

const harness = await startBrowserHarness();
t.teardown(harness.close);
const { db } = harness.database;

// One unit for the whole file; each test deletes only numbers of its own.
const tree = await makeTree(db, "ACME");
const PLACE = "ACME Corp › Billing";
const deletePage = `/units/${tree.unitId}/numbers/delete`;
const atUnit = { businessId: tree.businessId, unitId: tree.unitId };
for (const e164 of ["+12133734253", "+12133734254", "+12133734257", "+12133734258"]) {
  await insertNumber(db, e164, atUnit);
}

const exists = (e164: string) => hasNumber(db, e164);

/** An element's text with whitespace collapsed, as a reader hears it. */
const textOf = async (locator: Locator): Promise<string> =>
  ((await locator.textContent()) ?? "").replace(/\s+/g, " ").trim();

/** The computed colour of a property as [r, g, b]. */
const colourOf = (locator: Locator, property: "color" | "border-bottom-color"): Promise<number[]> =>
  locator.evaluate(
    (element, name) =>
      (getComputedStyle(element).getPropertyValue(name).match(/\d+/g) ?? [])
        .slice(0, 3)
        .map(Number),
    property,
  );

const numberField = (page: Page): Locator => page.getByLabel("Phone number", { exact: true });
const entriesOf = (page: Page): Locator => page.locator("#delete-list > li");
/** Each entry as "number · note" (the ✕ aside). */
const entryTexts = (page: Page): Promise<string[]> =>
  entriesOf(page).evaluateAll((items) =>
    items.map((item) =>
      [".entry-number", ".entry-note"]
        .map((part) => (item.querySelector(part)?.textContent ?? "").replace(/\s+/g, " ").trim())
        .join(" · "),
    ),
  );
/** Waits for the list's live region to say `message` (it is set a moment after a change). */
const announced = (page: Page, message: string): Promise<boolean> =>
  eventually(async () => (await textOf(page.locator("#delete-list-status"))) === message);

const dialogOf = (page: Page): Locator => page.locator("dialog#delete-confirm");

/** Waits until every entry has its verdict from the server's check. */
const allChecked = (page: Page): Promise<boolean> =>
  eventually(
    async () =>
      (await entriesOf(page).evaluateAll((items) =>
        items.every((item) => (item as HTMLElement).dataset.verdict !== "pending"),
      )) === true,
  );

/** Pastes as a person would (Ctrl+V), through the real clipboard. */
async function paste(page: Page, field: Locator, text: string): Promise<void> {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await field.focus();
  await page.keyboard.press("ControlOrMeta+V");
}

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

/** A step of a flow; once one fails, the later ones would only fail on its leftovers. */
const step = (t: TapTest, name: string, fn: (t: TapTest) => Promise<void>) =>
  t.test(name, { skip: t.passing() ? false : "an earlier step failed" }, fn);

t.test("the Manual tab and its live check", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  await page.goto(deletePage);

  const tab = page
    .getByRole("navigation", { name: "How to give the numbers" })
    .getByRole("link", { name: "Manual", exact: true });
  t.equal(await tab.getAttribute("aria-current"), "page", "the Manual tab is the current one");
  const [r = 0, g = 0, b = 0] = await colourOf(tab, "border-bottom-color");
  t.ok(b > r + 60 && b > g + 40, `underlined in blue (rgb ${r}, ${g}, ${b})`);

  t.notOk(await page.getByLabel("Phone numbers to delete").isVisible(), "the textarea is hidden");
  await assertFocus(t, page, numberField(page), "the number field has focus");

  await numberField(page).pressSequentially("(213) 373-4253");
  const valid = page.locator("#number-check .check-valid");
  await valid.waitFor({ state: "visible" });
  t.match(await textOf(valid), /^✓ Valid: \(213\) 373-4253 · \+12133734253$/, "the checkmark");
  const [vr = 0, vg = 0, vb = 0] = await colourOf(valid, "color");
  t.ok(vg > vr + 40 && vg > vb + 40, `in green (rgb ${vr}, ${vg}, ${vb})`);

  await numberField(page).fill("1-800-FLOWERS");
  const invalid = page.locator("#number-check .check-invalid");
  await invalid.waitFor({ state: "visible" });
  t.match(await textOf(invalid), /^Letters are not allowed in a phone number/, "why not");
  t.equal(await valid.count(), 0, "the checkmark is gone");

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("with JavaScript: build the list, remove one, confirm in a dialog", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  await page.goto(deletePage);
  const field = numberField(page);
  const add = page.getByRole("button", { name: "Add to Delete List" });

  await step(t, "Delete with an empty list asks for numbers", async (t) => {
    await page.getByRole("button", { name: "Delete…" }).click();
    t.equal(
      await textOf(page.locator("#picker-error")),
      "Add at least one phone number to the list.",
    );
    t.notOk(await dialogOf(page).isVisible(), "no dialog");
    await assertFocus(t, page, field, "focus goes to the number field");
  });

  await step(t, "three numbers, one not valid", async (t) => {
    await field.pressSequentially("(213) 373-4253");
    await page.locator("#number-check .check-valid").waitFor();
    await field.press("Enter");
    t.equal(await entriesOf(page).count(), 1, "Enter adds to the list");
    t.equal(page.url().endsWith(deletePage), true, "and submits nothing");
    t.equal(await field.inputValue(), "", "the field is emptied for the next number");
    await page.locator("#number-check").getByText(/\S/).waitFor({ state: "detached" });
    t.pass("and its verdict with it");

    await field.fill("1-800-FLOWERS");
    await add.click();
    await assertFocus(t, page, field, "focus is back in the field after the button");
    await field.fill("213.373.4254");
    await add.click();
    t.equal(await textOf(page.locator("#delete-list-count")), "(3)", "the count");
    t.ok(await announced(page, "Added 213.373.4254. 3 numbers in the list."), "announced");

    t.ok(await allChecked(page), "each entry was checked by the server");
    t.same(await entryTexts(page), [
      "(213) 373-4253 · ✓ +12133734253",
      `1-800-FLOWERS · ${PHONE_INPUT_MESSAGES.letters}`,
      "213.373.4254 · ✓ +12133734254",
    ]);
    t.equal(
      await page.locator("#field-numbers").inputValue(),
      "(213) 373-4253\n1-800-FLOWERS\n213.373.4254",
      "the list is what the form posts",
    );
  });

  await step(t, "✕ removes an entry, from the keyboard too", async (t) => {
    const remove = page.getByRole("button", { name: "Remove 213.373.4254" });
    await remove.focus();
    await page.keyboard.press("Enter");
    t.equal(await entriesOf(page).count(), 2, "one fewer");
    t.ok(await announced(page, "Removed 213.373.4254. 2 numbers in the list."), "announced");
    await assertFocus(
      t,
      page,
      page.getByRole("button", { name: "Remove 1-800-FLOWERS" }),
      "focus stays in the list",
    );
    t.equal(
      await page.locator("#field-numbers").inputValue(),
      "(213) 373-4253\n1-800-FLOWERS",
      "and out of the post",
    );
  });

  await step(t, "Delete asks first; Cancel changes nothing", async (t) => {
    const deleteButton = page.getByRole("button", { name: "Delete…" });
    await deleteButton.click();
    await dialogOf(page).waitFor({ state: "visible" });
    t.equal(
      await textOf(dialogOf(page).getByRole("heading")),
      `Delete 2 numbers from ${PLACE}?`,
      "how many, and where",
    );
    await assertFocus(
      t,
      page,
      dialogOf(page).getByRole("button", { name: "Cancel" }),
      "focus on the harmless choice",
    );
    await dialogOf(page).getByRole("button", { name: "Cancel" }).click();
    await dialogOf(page).waitFor({ state: "hidden" });
    await assertFocus(t, page, deleteButton, "focus back on Delete");
    t.ok(await exists("+12133734253"), "nothing removed");
    t.equal(await entriesOf(page).count(), 2, "the list is kept");
  });

  await step(t, "Ok runs it and shows the job", async (t) => {
    await page.getByRole("button", { name: "Delete…" }).click();
    await dialogOf(page).waitFor({ state: "visible" });
    await Promise.all([
      page.waitForURL(/\/jobs\/\d+$/),
      dialogOf(page).getByRole("button", { name: "Ok" }).click(),
    ]);
    t.pass("landed on the job page");
    t.equal(
      await textOf(page.getByRole("heading", { name: /^Removed Numbers/ })),
      "Removed Numbers (1)",
    );
    t.equal(
      await textOf(page.getByRole("heading", { name: /^Rejected Numbers/ })),
      "Rejected Numbers (1)",
    );
    const row = page.locator(".data-table tbody tr");
    t.equal(await row.count(), 1);
    const [line, given, reason, code] = await row.locator("td").allTextContents();
    t.same([line, given, code], ["2", "1-800-FLOWERS", "INVALID_FORMAT"], "entry 2, as given");
    t.match(reason, /^Invalid format: Letters are not allowed/, "the reason");
    t.notOk(await exists("+12133734253"), "the valid number is gone");
    t.ok(await exists("+12133734254"), "the removed entry was not sent");
  });

  await step(t, "Undo restores what the run removed", async (t) => {
    const job = page.url();
    await Promise.all([page.waitForURL(job), page.getByRole("button", { name: "Undo" }).click()]);
    await page.locator("#flash").getByText("Undone: 1 number restored.").waitFor();
    t.pass("the flash says so");
    t.ok(await exists("+12133734253"), "the number is back");
  });

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("pasting several numbers adds them all; repeats are flagged", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto(deletePage);
  const field = numberField(page);

  await paste(page, field, "213-373-4255, 213-373-4256; (213) 373-4255");
  t.equal(await entriesOf(page).count(), 3, "three entries");
  t.equal(await field.inputValue(), "", "none left in the field");
  t.equal(
    await textOf(entriesOf(page).nth(2).locator(".entry-note")),
    "Already in the list (entry 1).",
    "the same digits are flagged at once",
  );
  t.ok(
    await announced(page, "Added 3 numbers (1 already in the list). 3 numbers in the list."),
    "announced",
  );

  // Another way of writing entry 2: flagged once the server has read it.
  await field.fill("+1 213 373 4256");
  await field.press("Enter");
  await entriesOf(page)
    .nth(3)
    .locator(".entry-note")
    .getByText("Already in the list (entry 2).")
    .waitFor();
  t.pass("the same number in another format is flagged too");

  // A single number pasted goes into the field, to be checked like a typed one.
  await paste(page, field, "(213) 373-4253\n");
  t.equal(await field.inputValue(), "(213) 373-4253", "one number stays in the field");
  t.equal(await entriesOf(page).count(), 4, "not added yet");

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("without JavaScript: the textarea, the confirmation page, Ok", TIMEOUT, async (t) => {
  const page = await harness.newPage({ javaScriptEnabled: false });
  await page.goto(deletePage);
  t.notOk(await page.locator("#delete-picker").isVisible(), "no Delete List");
  const textarea = page.getByLabel("Phone numbers to delete");
  await textarea.fill("(213) 373-4257\n1-800-FLOWERS");
  await Promise.all([
    page.waitForURL(deletePage),
    page.getByRole("button", { name: "Delete…" }).click(),
  ]);
  t.equal(
    await textOf(page.getByRole("heading", { level: 1 })),
    `Delete 2 numbers from ${PLACE}?`,
    "the confirmation page",
  );
  t.ok(await exists("+12133734257"), "nothing removed yet");
  await Promise.all([
    page.waitForURL(/\/jobs\/\d+$/),
    page.getByRole("button", { name: "Ok" }).click(),
  ]);
  t.equal(
    await textOf(page.getByRole("heading", { name: /^Removed Numbers/ })),
    "Removed Numbers (1)",
  );
  t.equal(
    await textOf(page.getByRole("heading", { name: /^Rejected Numbers/ })),
    "Rejected Numbers (1)",
  );
  t.match(
    await page.locator(".data-table tbody tr td").nth(2).textContent(),
    /^Invalid format: Letters are not allowed/,
    "the reason",
  );
  t.notOk(await exists("+12133734257"), "removed");

  const job = page.url();
  await Promise.all([page.waitForURL(job), page.getByRole("button", { name: "Undo" }).click()]);
  await page.locator("#flash").getByText("Undone: 1 number restored.").waitFor();
  t.ok(await exists("+12133734257"), "Undo, a plain form too, put it back");

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("if the script does not load, the textarea form still works", TIMEOUT, async (t) => {
  const page = await harness.newPage({
    allowConsole: [/^Failed to load resource: net::ERR_FAILED$/],
  });
  await page.route("**/static/js/delete-list.js", (route) => route.abort());
  await page.goto(deletePage);
  t.notOk(await page.locator("#delete-picker").isVisible(), "no Delete List");
  await page.getByLabel("Phone numbers to delete").fill("+1 213 373 4258");
  await Promise.all([
    page.waitForURL(deletePage),
    page.getByRole("button", { name: "Delete…" }).click(),
  ]);
  t.equal(
    await textOf(page.getByRole("heading", { level: 1 })),
    `Delete 1 number from ${PLACE}?`,
    "the confirmation page",
  );
  t.ok(await exists("+12133734258"), "nothing removed before Ok");

  harness.assertNoProblems(t, page);
  await page.context().close();
});
