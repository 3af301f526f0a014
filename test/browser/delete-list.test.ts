import type { Locator, Page } from "playwright-core";
import t from "tap";
import { PHONE_INPUT_MESSAGES } from "../../src/domain/phone-input.js";
import { startBrowserHarness } from "../helpers/browser.js";
import { hasNumber, insertNumber, makeTree } from "../helpers/fixtures.js";
import { assertFocus, eventually, readMarker, setMarker } from "../helpers/page-checks.js";

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
const entriesOf = (page: Page): Locator => page.locator("#entry-list > li");
/** Each entry as "number · note" (the ✕ aside), as the server rendered it. */
const entryTexts = (page: Page): Promise<string[]> =>
  entriesOf(page).evaluateAll((items) =>
    items.map((item) =>
      [".entry-number", ".entry-note"]
        .map((part) => (item.querySelector(part)?.textContent ?? "").replace(/\s+/g, " ").trim())
        .join(" · "),
    ),
  );
/** Waits for the list's live region to say `message` (swapped in with the list). */
const announced = (page: Page, message: string): Promise<boolean> =>
  eventually(async () => (await textOf(page.locator("#entry-list-status"))) === message);
/** Waits for the list to hold `count` entries (its swap is a request away). */
const listed = (page: Page, count: number): Promise<boolean> =>
  eventually(async () => (await entriesOf(page).count()) === count);

const dialogOf = (page: Page): Locator => page.locator("dialog#dialog");

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

  t.notOk(await page.getByRole("button", { name: "Check" }).isVisible(), "Check is for no JS");
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

t.test(
  "with JavaScript: the server's list, ✕, the dialog, the result, Undo",
  TIMEOUT,
  async (t) => {
    const page = await harness.newPage();
    await page.goto(deletePage);
    await setMarker(page);
    const field = numberField(page);
    const add = page.getByRole("button", { name: "Add to Delete List" });

    await step(t, "Delete with an empty list says why, in the list", async (t) => {
      await page.getByRole("button", { name: "Delete…" }).click();
      await page.locator("#error-numbers").getByText("Enter at least one phone number.").waitFor();
      t.notOk(await dialogOf(page).isVisible(), "no dialog");
    });

    await step(t, "Enter and the button add to the list, each with its verdict", async (t) => {
      await field.pressSequentially("(213) 373-4253");
      await page.locator("#number-check .check-valid").waitFor();
      await field.press("Enter");
      t.ok(await listed(page, 1), "Enter adds to the list");
      t.equal(await readMarker(page), 1, "without leaving the page");
      await assertFocus(t, page, numberField(page), "focus is back in the field");
      t.equal(await numberField(page).inputValue(), "", "the field is emptied for the next number");

      await numberField(page).fill("1-800-FLOWERS");
      await add.click();
      t.ok(await listed(page, 2));
      await assertFocus(t, page, numberField(page), "focus is back in the field after the button");
      await numberField(page).fill("213.373.4254");
      await page.getByRole("button", { name: "Add to Delete List" }).click();
      t.ok(await listed(page, 3));
      t.equal(await textOf(page.locator("#entry-list-count")), "(3)", "the count");
      t.ok(await announced(page, "Added 1 entry. 3 entries in the list."), "announced");
      t.same(await entryTexts(page), [
        "(213) 373-4253 · ✓ Valid: +12133734253",
        `1-800-FLOWERS · ${PHONE_INPUT_MESSAGES.letters}`,
        "213.373.4254 · ✓ Valid: +12133734254",
      ]);
      t.equal(
        await textOf(page.locator("#entry-list-summary")),
        "2 numbers to delete; 1 entry will be skipped.",
      );
    });

    await step(t, "✕ removes an entry, from the keyboard too", async (t) => {
      const remove = page.getByRole("button", { name: "Remove entry 3, 213.373.4254" });
      await remove.focus();
      await page.keyboard.press("Enter");
      t.ok(await listed(page, 2), "one fewer");
      t.ok(await announced(page, "Removed entry 3. 2 entries in the list."), "announced");
    });

    await step(
      t,
      "Delete asks first, counting valid entries; Cancel changes nothing",
      async (t) => {
        const deleteButton = page.getByRole("button", { name: "Delete…" });
        await deleteButton.click();
        await dialogOf(page).waitFor({ state: "visible" });
        t.equal(
          await textOf(dialogOf(page).getByRole("heading", { level: 2 })),
          `Delete 1 number from ${PLACE}?`,
          "how many valid numbers, and where",
        );
        t.match(await textOf(dialogOf(page)), /1 entry will be skipped/);
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
      },
    );

    await step(t, "Ok runs it; the result opens over the page", async (t) => {
      await page.getByRole("button", { name: "Delete…" }).click();
      await dialogOf(page).getByRole("button", { name: "Ok" }).click();
      const done = dialogOf(page).getByRole("heading", { name: /^Removed Numbers/ });
      await done.waitFor();
      t.equal(await readMarker(page), 1, "still the same page behind");
      t.ok(page.url().endsWith(deletePage), "at the same address");
      t.equal(await textOf(done), "Removed Numbers (1)");
      const number = dialogOf(page).locator(".number-columns abbr");
      t.equal(await textOf(number), "(213) 373-4253", "national format");
      t.equal(await number.getAttribute("title"), "+12133734253", "E.164 on hover");
      t.equal(
        await textOf(dialogOf(page).getByRole("heading", { name: /^Rejected Numbers/ })),
        "Rejected Numbers (1)",
      );
      const row = dialogOf(page).locator(".data-table tbody tr");
      const [line, given, reason, code] = await row.locator("td").allTextContents();
      t.same([line, given, code], ["2", "1-800-FLOWERS", "INVALID_FORMAT"], "entry 2, as given");
      t.match(reason, /^Invalid format: Letters are not allowed/, "the reason");
      t.ok(await dialogOf(page).getByRole("link", { name: "Download CSV" }).isVisible());
      t.notOk(await exists("+12133734253"), "the valid number is gone");
      t.ok(await exists("+12133734254"), "the removed entry was not sent");
    });

    await step(t, "Undo answers in place; Ok closes onto the emptied list", async (t) => {
      await dialogOf(page).getByRole("button", { name: "Undo" }).click();
      await dialogOf(page).getByText("Undone: 1 number restored.").waitFor();
      t.ok(await exists("+12133734253"), "the number is back");
      t.equal(
        await dialogOf(page).getByRole("button", { name: "Undo" }).count(),
        0,
        "no second Undo",
      );
      t.match(await textOf(dialogOf(page).locator("#job-undone")), /^Undone on .* by /);
      await dialogOf(page).getByRole("link", { name: "Ok" }).click();
      await dialogOf(page).waitFor({ state: "hidden" });
      t.equal(await readMarker(page), 1, "Ok closed the dialog, no page load");
      t.equal(await entriesOf(page).count(), 0, "the page behind shows the list emptied");
      t.ok(await page.getByText("No numbers yet: add them above.").isVisible());
    });

    harness.assertNoProblems(t, page);
    await page.context().close();
  },
);

t.test("pasting several numbers is one request; repeats are flagged", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto(deletePage);
  const field = numberField(page);
  const requests: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST") requests.push(request.url());
  });

  await paste(page, field, "213-373-4255\n213-373-4256; (213) 373-4255, +1 213 373 4256");
  await page.locator("#number-check").getByText("4 numbers: adding them").waitFor();
  t.pass("the live check says the list will check them");
  await field.press("Enter");
  t.ok(await listed(page, 4), "four entries");
  t.equal(requests.length, 1, "one request for all of them");
  t.same(await entryTexts(page), [
    "213-373-4255 · ✓ Valid: +12133734255",
    "213-373-4256 · ✓ Valid: +12133734256",
    "(213) 373-4255 · The same number as entry 1.",
    "+1 213 373 4256 · The same number as entry 2.",
  ]);
  t.ok(await announced(page, "Added 4 entries. 4 entries in the list."), "announced");
  t.equal(await field.inputValue(), "", "none left in the field");

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("without JavaScript: Check, the confirmation page, Ok, Undo", TIMEOUT, async (t) => {
  const page = await harness.newPage({ javaScriptEnabled: false });
  await page.goto(deletePage);
  await numberField(page).fill("(213) 373-4257\n1-800-FLOWERS\n+1 213 373 4257");
  await Promise.all([
    page.waitForURL(`${deletePage}/list`),
    page.getByRole("button", { name: "Check" }).click(),
  ]);
  t.same(
    await entryTexts(page),
    [
      "(213) 373-4257 · ✓ Valid: +12133734257",
      `1-800-FLOWERS · ${PHONE_INPUT_MESSAGES.letters}`,
      "+1 213 373 4257 · The same number as entry 1.",
    ],
    "the page again, with the list and its verdicts",
  );
  await Promise.all([
    page.waitForURL(`${deletePage}/list`),
    page.getByRole("button", { name: "Remove entry 3, +1 213 373 4257" }).click(),
  ]);
  t.equal(await entriesOf(page).count(), 2, "✕ is a plain form button too");
  await Promise.all([
    page.waitForURL(deletePage),
    page.getByRole("button", { name: "Delete…" }).click(),
  ]);
  t.equal(
    await textOf(page.getByRole("heading", { level: 1 })),
    `Delete 1 number from ${PLACE}?`,
    "the confirmation page counts valid entries",
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
  t.notOk(await exists("+12133734257"), "removed");
  const ok = page.getByRole("link", { name: "Ok" });
  t.equal(await ok.getAttribute("href"), deletePage, "Ok leads back to where the run started");

  const job = page.url();
  await Promise.all([page.waitForURL(job), page.getByRole("button", { name: "Undo" }).click()]);
  await page.locator("#flash").getByText("Undone: 1 number restored.").waitFor();
  t.ok(await exists("+12133734257"), "Undo, a plain form too, put it back");
  t.equal(await page.getByRole("button", { name: "Undo" }).count(), 0, "and is offered no more");

  harness.assertNoProblems(t, page);
  await page.context().close();
});
