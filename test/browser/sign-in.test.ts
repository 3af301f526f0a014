import t from "tap";
import { COMMAND_LINE, createUser } from "../../src/services/people/users.js";
import { TEST_HASHING } from "../helpers/app.js";
import { startBrowserHarness } from "../helpers/browser.js";
import { makeTree } from "../helpers/fixtures.js";

t.test(
  "sign in, land on the user's level, sign out; Back shows nothing private",
  { timeout: 90_000 },
  async (t) => {
    const harness = await startBrowserHarness();
    t.teardown(harness.close);
    const { db } = harness.database;
    const tree = await makeTree(db, "Initech");
    const { oneTimePassword } = await createUser(
      db,
      COMMAND_LINE,
      { email: "eddie@initech.test", role: "editor", scope: `unit:${tree.unitId}` },
      TEST_HASHING,
    );

    // A wrong password answers 401, which Chromium logs as a failed resource.
    const page = await harness.newPage({ signedIn: false, allowConsole: [/status of 401/] });
    await page.goto(`/programs/${tree.programId}`);
    t.equal(new URL(page.url()).pathname, "/login", "a private page sends a visitor to sign in");
    t.equal(new URL(page.url()).searchParams.get("next"), `/programs/${tree.programId}`);

    await page.getByLabel("Email").fill("eddie@initech.test");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("Email or password is incorrect.").waitFor();
    t.equal(await page.locator(".field-error").count(), 0, "one message, not one per field");
    t.equal(await page.getByLabel("Email").inputValue(), "eddie@initech.test", "the email is kept");

    // The one-time password works once: the user must choose their own first.
    await page.getByLabel("Password").fill(oneTimePassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/account/password");
    await page.getByText("Choose your own before you continue").waitFor();
    await page.getByLabel("Current password").fill(oneTimePassword);
    await page.getByLabel("New password", { exact: true }).fill("eddie's own password");
    await page.getByLabel("New password again").fill("eddie's own password");
    await page.getByRole("button", { name: "Change password" }).click();
    // A first sign-in goes on to the user's own numbers, not to /account (issue 15).
    await page.waitForURL(`**/units/${tree.unitId}/numbers`);
    await page.getByText("Your password is set. These are your phone numbers.").waitFor();
    t.pass("home is the user's own unit");
    await page.getByRole("heading", { name: /Phone numbers/ }).waitFor();
    const nav = await page.locator(".main-nav").textContent();
    t.match(nav, /Programs/);
    t.notMatch(
      nav,
      /Business Units|Users|Businesses|Call Purposes/,
      "only what an editor of a unit may use",
    );
    t.equal(
      await page.locator(".level-switcher summary", { hasText: "Initech Corp" }).count(),
      0,
      "the business is not a menu for a unit user",
    );

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
    await page.getByText("You are signed out.").waitFor();

    // Back: the browser may not show the private page from its cache; the server sends it to sign in.
    await page.goBack();
    await page.waitForLoadState();
    t.notMatch(new URL(page.url()).pathname, /^\/units\//, "Back does not reopen the private page");
    t.equal(
      await page.getByRole("link", { name: "Q4 Reminders" }).count(),
      0,
      "no private content shown",
    );
    harness.assertNoProblems(t, page);
  },
);
