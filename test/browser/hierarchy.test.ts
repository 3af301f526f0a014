import type { Locator, Page, Response } from "playwright-core";
import t from "tap";
import type { Business } from "../../src/db/tables/hierarchy.js";
import { createBusiness } from "../../src/services/hierarchy/businesses.js";
import { resolveLevel } from "../../src/services/hierarchy/levels.js";
import { createProgram } from "../../src/services/hierarchy/programs.js";
import { createUnit } from "../../src/services/hierarchy/units.js";
import { startBrowserHarness } from "../helpers/browser.js";
import { assertFocus, eventually, readMarker, setMarker } from "../helpers/page-checks.js";

// Generous: the suite shares a 2-core machine with the other test files and Chromium.
const TIMEOUT = { timeout: 90_000 };

const harness = await startBrowserHarness();
t.teardown(harness.close);
const { db } = harness.database;

// Each test works in its own business so that none depends on another's leftovers.
let businessCount = 0;
function seedBusiness(): Promise<Business> {
  businessCount += 1;
  return createBusiness(db, harness.admin, { name: `Browser Test Co ${businessCount}` });
}

function seedUnit(business: Business, name: string) {
  return createUnit(db, harness.admin, business, { name });
}

async function seedProgram(unitId: number, name: string) {
  const unit = await resolveLevel(db, harness.admin, "unit", unitId);
  return createProgram(db, harness.admin, unit, {
    name,
    display_name: `${name} Line`,
    call_purpose: "1",
    starts_on: "",
    ends_on: "",
  });
}

const dialogOf = (page: Page): Locator => page.locator("dialog#dialog");

const isDialogOpen = (page: Page): Promise<boolean> =>
  dialogOf(page).evaluate((dialog) => (dialog as HTMLDialogElement).open);

/** The dialog's "close" event (which empties it) fires a task after close(), so wait for it. */
const isDialogEmptied = (page: Page): Promise<boolean> =>
  eventually(async () => (await page.locator("#dialog-body").innerHTML()) === "");

const pathOf = (page: Page): string => new URL(page.url()).pathname;

/** Clicks a plain form's submit button and returns the answer to its POST. */
async function submitPlainForm(page: Page, button: Locator): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST"),
    button.click(),
  ]);
  await page.waitForLoadState();
  return response;
}

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

/** A step of a flow; once one fails, the later ones would only fail on its leftovers. */
const step = (t: TapTest, name: string, fn: (t: TapTest) => Promise<void>) =>
  t.test(name, { skip: t.passing() ? false : "an earlier step failed" }, fn);

const programRow = (page: Page, name: string): Locator =>
  page
    .locator("#program-list tbody tr")
    .filter({ has: page.getByRole("link", { name, exact: true }) });

t.test("with JavaScript: units and programs are created in the dialog", TIMEOUT, async (t) => {
  const business = await seedBusiness();
  const page = await harness.newPage();
  const unitsPath = `/businesses/${business.id}/units`;
  await page.goto(unitsPath);
  await setMarker(page);
  const dialog = dialogOf(page);

  await step(t, "new business unit", async (t) => {
    const opener = page.getByRole("link", { name: "New business unit" });
    await opener.click();
    await dialog.waitFor({ state: "visible" });
    t.ok(await isDialogOpen(page), "dialog#dialog is open");
    t.ok(await dialog.evaluate((d) => d.matches(":modal")), "as a modal dialog");
    const name = dialog.getByLabel("Business unit name");
    await assertFocus(t, page, name, "focus is on the name field");

    const create = dialog.getByRole("button", { name: "Create business unit" });
    await create.click();
    await dialog.getByText("Enter a business unit name.").waitFor();
    t.equal(await name.getAttribute("aria-invalid"), "true", "the field is marked invalid");
    t.equal(await name.getAttribute("aria-describedby"), "error-name", "and names its message");
    t.ok(await isDialogOpen(page), "the dialog stays open");
    await assertFocus(t, page, name, "focus is on the invalid field");
    t.equal(pathOf(page), unitsPath, "the URL is unchanged");
    t.equal(await readMarker(page), 1, "no full page load");

    await name.fill("Billing");
    await create.click();
    await dialog.waitFor({ state: "hidden" });
    await page.locator("#flash").getByText("Business unit Billing created.").waitFor();
    await page.locator("#unit-list").getByRole("link", { name: "Billing", exact: true }).waitFor();
    t.ok(await isDialogEmptied(page), "the dialog is emptied");
    await assertFocus(t, page, opener, "focus returns to New business unit");
    t.equal(pathOf(page), unitsPath, "the URL is unchanged");
    t.equal(await readMarker(page), 1, "the list was refreshed without a page load");
  });

  await step(t, "new program", async (t) => {
    // A unit's name opens its phone numbers; its programs are one item away in the navigation.
    await Promise.all([
      page.waitForURL(/\/units\/\d+\/numbers$/),
      page.locator("#unit-list").getByRole("link", { name: "Billing", exact: true }).click(),
    ]);
    await Promise.all([
      page.waitForURL(/\/units\/\d+\/programs$/),
      page.locator(".main-nav").getByRole("link", { name: "Programs" }).click(),
    ]);
    const programsPath = pathOf(page);
    await setMarker(page);

    const opener = page.getByRole("link", { name: "New program" });
    await opener.click();
    await dialog.waitFor({ state: "visible" });
    const name = dialog.getByLabel("Program name");
    await assertFocus(t, page, name, "focus is on the program name");
    await name.fill("Spring Reminders");
    await dialog.getByLabel("Display name").fill("Acme Reminders");

    const purpose = dialog.getByLabel("Default call purpose");
    const warning = page.locator("#dno-warning");
    t.notOk(await warning.isVisible(), "no Do Not Originate warning at first");
    await purpose.selectOption({ label: "Do Not Originate" });
    await warning.waitFor({ state: "visible" });
    t.match(await warning.textContent(), /must never place calls/, "Do Not Originate warns");
    await purpose.selectOption({ label: "Appointment Reminder" });
    await warning.waitFor({ state: "hidden" });
    t.pass("another purpose hides the warning");

    const startsOn = dialog.getByLabel("Starts on");
    const endsOn = dialog.getByLabel("Ends on");
    await startsOn.fill("2020-01-10");
    await endsOn.fill("2020-01-01");
    const create = dialog.getByRole("button", { name: "Create program" });
    await create.click();
    await dialog.getByText("The end date must be on or after the start date.").waitFor();
    t.equal(await endsOn.getAttribute("aria-invalid"), "true", "the end date is marked invalid");
    t.equal(await name.inputValue(), "Spring Reminders", "the entered values are kept");
    t.equal(
      await purpose.locator("option:checked").textContent(),
      "Appointment Reminder",
      "the chosen purpose is kept",
    );
    t.ok(await isDialogOpen(page), "the dialog stays open");
    await assertFocus(t, page, endsOn, "focus is on the invalid end date");
    t.equal(pathOf(page), programsPath, "the URL is unchanged");
    t.equal(await readMarker(page), 1, "no full page load");

    await endsOn.fill("2099-12-31");
    await create.click();
    await dialog.waitFor({ state: "hidden" });
    await page.locator("#flash").getByText("Program Spring Reminders created.").waitFor();
    const row = programRow(page, "Spring Reminders");
    await row.waitFor();
    t.equal(await row.locator(".display-name").textContent(), "Acme Reminders", "display name");
    t.equal(await row.locator(".status").textContent(), "Active", "status");
    t.match(await row.textContent(), /Appointment Reminder/, "call purpose");
    t.match(await row.locator(".duration").textContent(), /2020-01-10 – 2099-12-31/, "duration");
    await assertFocus(t, page, opener, "focus returns to New program");
    t.equal(await readMarker(page), 1, "the list was refreshed without a page load");
  });

  await step(t, "Cancel and Escape close the dialog and return focus", async (t) => {
    const opener = page.getByRole("link", { name: "New program" });
    await opener.click();
    await dialog.waitFor({ state: "visible" });
    await dialog.getByRole("link", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    t.ok(await isDialogEmptied(page), "Cancel empties the dialog");
    await assertFocus(t, page, opener, "Cancel returns focus to New program");

    await opener.click();
    await dialog.waitFor({ state: "visible" });
    await assertFocus(t, page, dialog.getByLabel("Program name"), "the form has focus");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await assertFocus(t, page, opener, "Escape returns focus to New program");
    t.equal(await readMarker(page), 1, "no page load throughout");
    t.equal(await programRow(page, "Spring Reminders").count(), 1, "nothing was created twice");
  });

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("without JavaScript: the same links and forms work as pages", TIMEOUT, async (t) => {
  const business = await seedBusiness();
  const page = await harness.newPage({ javaScriptEnabled: false });
  const unitsPath = `/businesses/${business.id}/units`;
  await page.goto(unitsPath);
  const dialog = dialogOf(page);

  await step(t, "new business unit", async (t) => {
    await page.getByRole("link", { name: "New business unit" }).click();
    await page.waitForURL(`${harness.baseUrl}${unitsPath}/new`);
    t.pass("New business unit opens the form's own page");
    await page.getByRole("heading", { name: `New business unit in ${business.name}` }).waitFor();
    t.notOk(await dialog.isVisible(), "not in a dialog");

    const name = page.getByLabel("Business unit name");
    const create = page.getByRole("button", { name: "Create business unit" });
    const invalid = await submitPlainForm(page, create);
    t.equal(invalid.status(), 422, "an empty name answers 422");
    t.equal(pathOf(page), `${unitsPath}/new`, "on the form's page");
    await page.getByText("Enter a business unit name.").waitFor();
    t.equal(await name.getAttribute("aria-invalid"), "true", "the field is marked invalid");

    await page.getByLabel("Business unit name").fill("Collections");
    const created = await submitPlainForm(page, create);
    t.equal(created.status(), 303, "a valid post redirects");
    await page.waitForURL(`${harness.baseUrl}${unitsPath}`);
    await page.locator("#flash").getByText("Business unit Collections created.").waitFor();
    const link = page.locator("#unit-list").getByRole("link", { name: "Collections", exact: true });
    t.equal(await link.count(), 1, "the unit is in the list");
  });

  await step(t, "Cancel goes back to the list", async (t) => {
    await page.getByRole("link", { name: "New business unit" }).click();
    await page.waitForURL(`${harness.baseUrl}${unitsPath}/new`);
    await page.getByRole("link", { name: "Cancel" }).click();
    await page.waitForURL(`${harness.baseUrl}${unitsPath}`);
    t.pass("Cancel is a link to the list");
  });

  await step(t, "new program", async (t) => {
    await page
      .locator("#unit-list")
      .getByRole("link", { name: "Collections", exact: true })
      .click();
    await page.waitForURL(/\/units\/\d+\/numbers$/);
    await page.locator(".main-nav").getByRole("link", { name: "Programs" }).click();
    await page.waitForURL(/\/units\/\d+\/programs$/);
    const programsPath = pathOf(page);
    await page.getByRole("link", { name: "New program" }).click();
    await page.waitForURL(`${harness.baseUrl}${programsPath}/new`);
    t.pass("New program opens the form's own page");

    await page.getByLabel("Program name").fill("Late Notices");
    await page.getByLabel("Display name").fill("Acme Collections");
    await page.getByLabel("Default call purpose").selectOption({ label: "Debt Collection" });
    await page.getByLabel("Starts on").fill("2020-01-10");
    const endsOn = page.getByLabel("Ends on");
    await endsOn.fill("2020-01-01");
    const create = page.getByRole("button", { name: "Create program" });
    const invalid = await submitPlainForm(page, create);
    t.equal(invalid.status(), 422, "an end before the start answers 422");
    await page.getByText("The end date must be on or after the start date.").waitFor();
    t.equal(await endsOn.getAttribute("aria-invalid"), "true", "the end date is marked invalid");
    t.equal(await page.getByLabel("Program name").inputValue(), "Late Notices", "values are kept");
    await assertFocus(t, page, endsOn, "focus is on the invalid end date");

    await endsOn.fill("2099-12-31");
    const created = await submitPlainForm(page, create);
    t.equal(created.status(), 303, "a valid post redirects");
    await page.waitForURL(`${harness.baseUrl}${programsPath}`);
    await page.locator("#flash").getByText("Program Late Notices created.").waitFor();
    const row = programRow(page, "Late Notices");
    t.equal(await row.locator(".display-name").textContent(), "Acme Collections", "display name");
    t.equal(await row.locator(".status").textContent(), "Active", "status");
  });

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("deleting a unit through the dialog", TIMEOUT, async (t) => {
  const business = await seedBusiness();
  const archive = await seedUnit(business, "Archive");
  await seedProgram(archive.id, "Old Campaign");
  const dialers = await seedUnit(business, "Dialers");
  const now = new Date().toISOString();
  await db
    .insertInto("phone_numbers")
    .values({
      e164: "+12133734253",
      business_id: business.id,
      business_unit_id: dialers.id,
      program_id: null,
      call_purpose_id: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();

  const page = await harness.newPage();
  await page.goto(`/businesses/${business.id}/units`);
  await setMarker(page);
  const dialog = dialogOf(page);
  const unitLink = (name: string) =>
    page.locator("#unit-list").getByRole("link", { name, exact: true });

  await step(t, "a unit with a program but no numbers goes, program and all", async (t) => {
    await page.getByRole("link", { name: "Delete Archive" }).click();
    await dialog.waitFor({ state: "visible" });
    await dialog.getByRole("heading", { name: "Delete business unit Archive?" }).waitFor();
    t.match(
      await dialog.textContent(),
      /This deletes the business unit Archive\. Its 1 program will be deleted with it\./,
      "the confirmation names what goes with it",
    );
    const cancel = dialog.getByRole("link", { name: "Cancel" });
    await assertFocus(t, page, cancel, "the safe choice, Cancel, has focus");
    await dialog.getByRole("button", { name: "Delete" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.locator("#flash").getByText("Business unit Archive deleted.").waitFor();
    await unitLink("Archive").waitFor({ state: "detached" });
    t.pass("the row disappears");
    t.equal(await unitLink("Dialers").count(), 1, "the other unit stays");
    t.equal(await readMarker(page), 1, "no page load");
    const programs = await db
      .selectFrom("programs")
      .select("id")
      .where("business_unit_id", "=", archive.id)
      .execute();
    t.same(programs, [], "its program is gone too");
  });

  await step(t, "a unit holding phone numbers is refused", async (t) => {
    await page.getByRole("link", { name: "Delete Dialers" }).click();
    await dialog.waitFor({ state: "visible" });
    await dialog.getByRole("alert").waitFor();
    t.match(
      await dialog.getByRole("alert").textContent(),
      /still holds 1 phone number\./,
      "the dialog says why",
    );
    t.equal(await dialog.getByRole("button", { name: "Delete" }).count(), 0, "no Delete button");
    t.equal(await dialog.locator("form").count(), 0, "nothing to post");
    await dialog.getByRole("link", { name: "Close" }).click();
    await dialog.waitFor({ state: "hidden" });
    t.equal(await unitLink("Dialers").count(), 1, "the unit stays");
  });

  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("keyboard: the level switcher menus", TIMEOUT, async (t) => {
  const business = await seedBusiness();
  const north = await seedUnit(business, "North");
  await seedUnit(business, "South");
  await seedProgram(north.id, "Renewals");

  const page = await harness.newPage();
  await page.goto(`/units/${north.id}/programs`);
  const switcher = page.getByRole("navigation", { name: "Level" });
  const menus = switcher.locator("details[data-menu]");
  t.equal(await menus.count(), 3, "business, unit and program menus");

  for (const [index, label] of ["Switch business", "Switch unit", "Switch program"].entries()) {
    const menu = menus.nth(index);
    const summary = menu.locator("summary");
    t.match(await summary.getAttribute("aria-label"), label, `${label}: the summary is labelled`);
    const isOpen = () => menu.evaluate((details) => (details as HTMLDetailsElement).open);

    await summary.focus();
    await page.keyboard.press("Enter");
    t.ok(await eventually(isOpen), `${label}: Enter opens the menu`);
    await page.keyboard.press("ArrowDown");
    await assertFocus(
      t,
      page,
      menu.locator(".menu-list a").first(),
      `${label}: ArrowDown moves into the items`,
    );
    await page.keyboard.press("Escape");
    t.ok(await eventually(async () => !(await isOpen())), `${label}: Escape closes the menu`);
    await assertFocus(t, page, summary, `${label}: focus returns to the summary`);
  }

  // The unit menu holds "All units", North and South: arrows move through them and wrap.
  const unitMenu = menus.nth(1);
  const items = unitMenu.locator(".menu-list a");
  await unitMenu.locator("summary").focus();
  await page.keyboard.press("ArrowDown");
  await assertFocus(t, page, items.nth(0), "ArrowDown on the closed menu opens it at the top");
  await page.keyboard.press("ArrowDown");
  await assertFocus(t, page, items.nth(1), "ArrowDown moves to the next item");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await assertFocus(t, page, items.last(), "ArrowUp wraps to the last item");
  await page.keyboard.press("Escape");
  await assertFocus(t, page, unitMenu.locator("summary"), "Escape returns to the summary");

  harness.assertNoProblems(t, page);
  await page.context().close();
});
