/**
 * axe-core on every page and every dialog of the portal (issue 6, item 6): no violation of
 * impact serious or critical anywhere, every field has an accessible name. Moderate and minor
 * findings are counted and printed in one summary line at the end, not failed on.
 *
 * One server and one browser for the file; pages share the admin's one sign-in.
 */
import type { Locator, Page } from "playwright-core";
import t from "tap";
import { removeNumber } from "../../src/services/numbers/numbers.js";
import { COMMAND_LINE, createUser } from "../../src/services/people/users.js";
import { TEST_HASHING } from "../helpers/app.js";
import { AxeReport, unnamedFields } from "../helpers/axe.js";
import { startBrowserHarness } from "../helpers/browser.js";
import { insertNumber, makeTree, numberId as numberIdOf } from "../helpers/fixtures.js";
import { eventually } from "../helpers/page-checks.js";

// Generous: the suite shares a 2-core machine with the other test files and Chromium.
const TIMEOUT = { timeout: 90_000 };

const harness = await startBrowserHarness();
t.teardown(harness.close);
const { db } = harness.database;
const report = new AxeReport();

const tree = await makeTree(db, "ACME");
const { businessId, unitId, programId } = tree;
const atProgram = { businessId, unitId, programId };
for (const e164 of ["+12133734253", "+12133734254", "+12133734255"]) {
  await insertNumber(db, e164, atProgram);
}
await insertNumber(db, "+13107284411", { businessId, unitId });
await insertNumber(db, "+13107284412", { businessId, unitId });
await insertNumber(db, "+14157281200", { businessId });
// A number removed a moment ago, for Recently Removed.
await insertNumber(db, "+12133734259", atProgram);
const idOf = (e164: string) => numberIdOf(db, e164);
await removeNumber(db, harness.admin, await idOf("+12133734259"));
// Someone else in the Users list.
await createUser(
  db,
  COMMAND_LINE,
  { email: "eddie@acme.test", role: "editor", scope: `unit:${unitId}` },
  TEST_HASHING,
);

const numberId = await idOf("+12133734253");
const userIdOf = async (email: string) =>
  (await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow())
    .id;

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

/** Checks the page as it is now: axe's serious/critical findings, and fields without a name. */
async function screen(t: TapTest, page: Page, name: string): Promise<void> {
  const failing = await report.check(page, name);
  t.same(failing, [], `${name}: no serious or critical axe violations`);
  t.same(await unnamedFields(page), [], `${name}: every field has an accessible name`);
}

const dialogOf = (page: Page): Locator => page.locator("dialog#dialog");

/** Waits until no htmx request is in flight, so axe sees the page the user sees. */
const settled = (page: Page): Promise<boolean> =>
  eventually(async () => (await page.locator(".htmx-request").count()) === 0);

/** Opens a data-dialog link in the page's <dialog>, waiting for its content. */
async function openDialog(page: Page, link: Locator): Promise<Locator> {
  await link.click();
  const dialog = dialogOf(page);
  await dialog.waitFor({ state: "visible" });
  await dialog.locator("#dialog-title").waitFor();
  await settled(page);
  return dialog;
}

async function closeDialog(page: Page): Promise<void> {
  await page.keyboard.press("Escape");
  await dialogOf(page).waitFor({ state: "hidden" });
}

/** Visits a page and checks it. */
async function visit(t: TapTest, page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await settled(page);
  await screen(t, page, name);
}

t.test("signed out: the sign-in page, and its error", TIMEOUT, async (t) => {
  // A wrong password answers 401, which Chromium logs as a failed resource.
  const page = await harness.newPage({ signedIn: false, allowConsole: [/status of 401/] });
  await visit(t, page, "/login", "sign-in");
  await page.getByLabel("Email").fill("nobody@acme.test");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").waitFor();
  await screen(t, page, "sign-in with an error");
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("the dashboard at each level, filtered, empty, its menu", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  await visit(t, page, `/businesses/${businessId}/numbers`, "dashboard, business level");
  await visit(t, page, `/programs/${programId}/numbers`, "dashboard, program level");
  await visit(t, page, `/units/${unitId}/numbers?status=active&sort=number`, "filtered");
  await visit(t, page, `/units/${unitId}/numbers?q=99999`, "no match");
  await visit(t, page, `/units/${unitId}/numbers?q=abc`, "a search that is not digits");
  await visit(t, page, `/units/${unitId}/numbers`, "dashboard, unit level");

  // The level switcher's menu and a row's menu, open.
  await page.locator(".level-switcher summary").first().click();
  await screen(t, page, "level switcher open");
  await page.keyboard.press("Escape");
  await page.locator(`#menu-number-${numberId} summary`).click();
  await screen(t, page, "row menu open");
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("the row's dialogs: View Assignments, Edit, Remove", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  await page.goto(`/units/${unitId}/numbers`);
  const menu = page.locator(`#menu-number-${numberId}`);
  const item = async (name: string) => {
    await menu.locator("summary").click();
    return openDialog(page, menu.getByRole("link", { name }));
  };

  await item("View Assignments");
  await screen(t, page, "View Assignments");
  await closeDialog(page);

  const edit = await item("Edit");
  await screen(t, page, "Edit call purpose");
  await edit.getByLabel("Call purpose").selectOption({ label: "Do Not Originate" });
  await page.locator("#dno-warning").waitFor({ state: "visible" });
  await screen(t, page, "Edit call purpose, Do Not Originate warning");
  await closeDialog(page);

  await item("Remove");
  await screen(t, page, "Remove");
  await closeDialog(page);

  // Removing one: the flash offers Undo.
  const removed = page.locator(`#menu-number-${await idOf("+13107284412")}`);
  await removed.locator("summary").click();
  const remove = await openDialog(page, removed.getByRole("link", { name: "Remove" }));
  await remove.getByRole("button", { name: "Remove" }).click();
  await page.locator("#flash").getByRole("button", { name: "Undo" }).waitFor();
  await settled(page);
  await screen(t, page, "dashboard after Remove, with Undo");
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("Add and Delete numbers, both tabs, confirmation, results", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  await visit(t, page, `/programs/${programId}/numbers/add`, "Add, Manual tab");
  await visit(t, page, `/programs/${programId}/numbers/add?tab=upload`, "Add, Upload tab");
  await visit(t, page, `/units/${unitId}/numbers/delete?tab=upload`, "Delete, Upload tab");
  await visit(t, page, `/units/${unitId}/numbers/delete`, "Delete, Manual tab, empty list");

  const field = page.getByLabel("Phone number", { exact: true });
  await field.fill("(213) 373-4254");
  await page.locator("#number-check .check-valid").waitFor();
  await screen(t, page, "Delete, a valid number typed");
  await field.fill("(213) 373-4254\n1-800-FLOWERS\n+1 213 373 4254");
  await page.getByRole("button", { name: "Add to Delete List" }).click();
  await eventually(async () => (await page.locator("#entry-list > li").count()) === 3);
  await settled(page);
  await screen(t, page, "Delete, the server's list with verdicts");

  await page.getByRole("button", { name: "Delete…" }).click();
  await dialogOf(page).getByRole("button", { name: "Ok" }).waitFor();
  await settled(page);
  await screen(t, page, "Delete, confirmation dialog");
  await dialogOf(page).getByRole("button", { name: "Ok" }).click();
  await dialogOf(page)
    .getByRole("heading", { name: /^Removed Numbers/ })
    .waitFor();
  await settled(page);
  await screen(t, page, "Delete result dialog with rejections and Undo");
  await dialogOf(page).getByRole("button", { name: "Undo" }).click();
  await dialogOf(page).locator("#job-undone").waitFor();
  await settled(page);
  await screen(t, page, "Delete result dialog, undone in place");
  await closeDialog(page);

  // An add run whose numbers are partly elsewhere: the result offers to move them here.
  await page.goto(`/programs/${programId}/numbers/add`);
  await page.getByLabel("Call purpose for new entries").selectOption({ label: "Survey" });
  await page
    .getByLabel("Phone number", { exact: true })
    .fill("+1 415 728 1200\n+1 310 728 4411\nabc");
  await page.getByRole("button", { name: "Add to Add List" }).click();
  await eventually(async () => (await page.locator("#entry-list > li").count()) === 3);
  await settled(page);
  await screen(t, page, "Add, the list with a call purpose per entry");
  await page.getByRole("button", { name: "Add numbers" }).click();
  await dialogOf(page)
    .getByRole("heading", { name: /^Added Numbers/ })
    .waitFor();
  await settled(page);
  await screen(t, page, "Add result dialog with rejections and Move here");
  await dialogOf(page).getByRole("button", { name: "Move +13107284411 here" }).click();
  await dialogOf(page)
    .getByText(/moved here since/)
    .waitFor();
  await settled(page);
  await screen(t, page, "Add result dialog, moved in place");
  await closeDialog(page);

  // The form sent back with its message (422).
  await page.goto(`/programs/${programId}/numbers/add`);
  await page.getByRole("button", { name: "Add numbers" }).click();
  await page.locator("#error-numbers").waitFor();
  await screen(t, page, "Add, with an error");

  // Runs, and the dashboard's Manage Phone Numbers ▾ open.
  await visit(t, page, `/businesses/${businessId}/runs`, "Runs");
  await page.goto(`/units/${unitId}/numbers`);
  await page.locator("#manage-menu summary").click();
  await page.locator("#manage-menu .menu-list").waitFor();
  await screen(t, page, "dashboard, Manage Phone Numbers menu open");
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("Recently Removed and Activity", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  await visit(t, page, `/units/${unitId}/numbers/removed`, "Recently Removed");
  await visit(t, page, `/businesses/${businessId}/activity`, "Activity");
  await visit(
    t,
    page,
    `/businesses/${businessId}/activity?action=number.remove`,
    "Activity, filtered",
  );
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("Businesses, Units, Programs, Call purposes and their dialogs", TIMEOUT, async (t) => {
  // Submitting an empty name answers 422 with the form: Chromium logs it as a failed resource.
  const page = await harness.newPage();

  await visit(t, page, "/businesses", "Businesses");
  const newBusiness = await openDialog(page, page.getByRole("link", { name: "New business" }));
  await screen(t, page, "New business");
  await newBusiness.getByRole("button", { name: "Create business" }).click();
  await newBusiness.locator("[aria-invalid=true]").waitFor();
  await screen(t, page, "New business, with an error");
  await closeDialog(page);
  await openDialog(page, page.getByRole("link", { name: "Rename ACME Corp" }));
  await screen(t, page, "Rename business");
  await closeDialog(page);
  await openDialog(page, page.getByRole("link", { name: "Delete ACME Corp" }));
  await screen(t, page, "Delete business (refused: it holds numbers)");
  await closeDialog(page);

  await visit(t, page, `/businesses/${businessId}/units`, "Business units");
  await openDialog(page, page.getByRole("link", { name: "New business unit" }));
  await screen(t, page, "New business unit");
  await closeDialog(page);
  await openDialog(page, page.getByRole("link", { name: "Rename Billing" }));
  await screen(t, page, "Rename business unit");
  await closeDialog(page);

  await visit(t, page, `/businesses/${businessId}/programs`, "Programs at business level");
  await openDialog(page, page.getByRole("link", { name: "New program" }));
  await screen(t, page, "New program");
  await closeDialog(page);
  await openDialog(page, page.getByRole("link", { name: "Edit Q4 Reminders" }));
  await screen(t, page, "Edit program");
  await closeDialog(page);
  await openDialog(page, page.getByRole("link", { name: "Delete Q4 Reminders" }));
  await screen(t, page, "Delete program");
  await closeDialog(page);
  await visit(t, page, `/units/${unitId}/programs`, "Programs at unit level");
  await visit(t, page, `/programs/${programId}/details`, "Program details");

  await visit(t, page, "/call-purposes", "Call purposes");
  await openDialog(page, page.getByRole("link", { name: "New call purpose" }));
  await screen(t, page, "New call purpose");
  await closeDialog(page);
  await openDialog(page, page.getByRole("link", { name: "Rename Survey" }));
  await screen(t, page, "Rename call purpose");
  await closeDialog(page);
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("Users and their dialogs, Account", TIMEOUT, async (t) => {
  const page = await harness.newPage();
  await visit(t, page, `/businesses/${businessId}/users`, "Users");
  const newUser = await openDialog(page, page.getByRole("link", { name: "New user" }));
  await screen(t, page, "New user");
  await newUser.getByLabel("Email").fill("vera@acme.test");
  await newUser.getByRole("button", { name: "Create user" }).click();
  await newUser.locator("#one-time-password").waitFor();
  await screen(t, page, "One-time password issued");
  await closeDialog(page);
  const user = "eddie@acme.test";
  for (const [link, name] of [
    [`Change role or scope of ${user}`, "Change a user"],
    [`New password for ${user}`, "New password for a user"],
    [`Disable ${user}`, "Disable a user"],
  ] as const) {
    await openDialog(page, page.getByRole("link", { name: link }));
    await screen(t, page, name);
    await closeDialog(page);
  }

  await visit(t, page, "/account", "Account");
  await openDialog(page, page.getByRole("link", { name: "Change password" }));
  await screen(t, page, "Change password");
  await closeDialog(page);
  const newToken = await openDialog(page, page.getByRole("link", { name: "New token" }));
  await screen(t, page, "New API token");
  await newToken.getByLabel("Token name").fill("nightly sync");
  await newToken.getByRole("button", { name: "Create token" }).click();
  await newToken.locator("#api-token").waitFor();
  await screen(t, page, "API token created");
  await visit(t, page, "/account", "Account with a token");
  await visit(t, page, "/account/two-factor", "Two-factor sign-in: enrolment");
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("404 and 403 pages, a first sign-in's password page", TIMEOUT, async (t) => {
  const page = await harness.newPage({ allowConsole: [/status of 40[34]/] });
  await visit(t, page, "/no-such-page", "404 page");
  t.equal(await page.locator("h1").textContent(), "Not found", "it is the 404 page");
  await visit(t, page, "/numbers/999999/assignments", "404 of a number");
  harness.assertNoProblems(t, page);
  await page.context().close();

  const { oneTimePassword } = await createUser(
    db,
    COMMAND_LINE,
    { email: "viv@acme.test", role: "viewer", scope: `unit:${unitId}` },
    TEST_HASHING,
  );
  const viewer = await harness.newPage({
    signedIn: false,
    allowConsole: [/status of 403/],
  });
  await viewer.goto("/login");
  await viewer.getByLabel("Email").fill("viv@acme.test");
  await viewer.getByLabel("Password").fill(oneTimePassword);
  await Promise.all([
    viewer.waitForURL("**/account/password"),
    viewer.getByRole("button", { name: "Sign in" }).click(),
  ]);
  await screen(t, viewer, "Choose your own password (a page)");
  await viewer.getByLabel("Current password").fill(oneTimePassword);
  await viewer.getByLabel("New password", { exact: true }).fill("viv's own password");
  await viewer.getByLabel("New password again").fill("viv's own password");
  await Promise.all([
    // A first sign-in goes on to the user's home numbers (issue 15).
    viewer.waitForURL(`**/units/${unitId}/numbers`),
    viewer.getByRole("button", { name: "Change password" }).click(),
  ]);
  await visit(t, viewer, `/units/${unitId}/numbers/add`, "403 page");
  t.equal(await viewer.locator("h1").textContent(), "Not allowed", "it is the 403 page");
  harness.assertNoProblems(t, viewer);
  await viewer.context().close();
});

t.test("without JavaScript: the dialogs as pages", TIMEOUT, async (t) => {
  // The portal's scripts are refused rather than JavaScript switched off: axe itself needs
  // JavaScript to run. The page is then what a browser without JavaScript shows.
  const page = await harness.newPage({
    allowConsole: [/^Failed to load resource: net::ERR_FAILED$/],
  });
  await page.route("**/static/**/*.js", (route) => route.abort());
  const pages: [string, string][] = [
    [`/units/${unitId}/numbers`, "dashboard without JavaScript"],
    [`/numbers/${numberId}/assignments`, "View Assignments page"],
    [`/numbers/${numberId}/edit`, "Edit page"],
    [`/numbers/${numberId}/remove`, "Remove page"],
    ["/businesses/new", "New business page"],
    [`/businesses/${businessId}/delete`, "Delete business page"],
    [`/units/${unitId}/edit`, "Rename unit page"],
    [`/units/${unitId}/programs/new`, "New program page"],
    [`/programs/${programId}/edit`, "Edit program page"],
    ["/call-purposes/new", "New call purpose page"],
    [`/businesses/${businessId}/users/new`, "New user page"],
    ["/account/password", "Change password page"],
    ["/account/tokens/new", "New API token page"],
    [`/users/${await userIdOf("eddie@acme.test")}/two-factor/reset`, "Reset two-factor page"],
    [`/units/${unitId}/numbers/delete`, "Delete, the form without JavaScript"],
  ];
  for (const [url, name] of pages) await visit(t, page, url, name);

  await page.getByLabel("Phone number", { exact: true }).fill("(213) 373-4255\nabc");
  await page.getByRole("button", { name: "Add to Delete List" }).click();
  await page.locator("#entry-list > li").nth(1).waitFor();
  await screen(t, page, "Delete, the list page (…/delete/list)");
  await page.getByRole("button", { name: "Delete…" }).click();
  await page.getByRole("button", { name: "Ok" }).waitFor();
  await screen(t, page, "Delete confirmation page");
  await page.getByRole("button", { name: "Ok" }).click();
  await page.getByRole("heading", { name: /^Removed Numbers/ }).waitFor();
  await screen(t, page, "Delete result page, at its level");
  await visit(t, page, `/units/${unitId}/runs`, "Runs without JavaScript");

  await page.goto("/businesses/new");
  await page.getByRole("button", { name: "Create business" }).click();
  await page.locator("[aria-invalid=true]").waitFor();
  await screen(t, page, "New business page, with an error");
  harness.assertNoProblems(t, page);
  await page.context().close();
});

t.test("summary", async (t) => {
  t.ok(report.screens > 60, `checked ${report.screens} screens`);
  t.comment(report.summary());
  for (const line of report.details()) t.comment(line);
});
