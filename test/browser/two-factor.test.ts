/**
 * Two-factor sign-in in a real browser: a user enrols from Account with a code computed from
 * the page's data-secret (as an authenticator app would from the QR code), sees the recovery
 * codes once, then signs in with password and code and lands where they were going. The new
 * screens are checked with axe and saved at 390 and 1280 px in .tap/screenshots.
 */
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import t from "tap";
import { codeAt } from "../../src/services/people/two-factor.js";
import { COMMAND_LINE, createUser } from "../../src/services/people/users.js";
import { TEST_HASHING } from "../helpers/app.js";
import { AxeReport, unnamedFields } from "../helpers/axe.js";
import { startBrowserHarness } from "../helpers/browser.js";
import { makeTree } from "../helpers/fixtures.js";
import { SCREENSHOTS, sidewaysOverflow } from "../helpers/screen-ground.js";

const WIDTHS = [390, 1280] as const;

t.test(
  "enrol with a code from the data-secret, then sign in with password and code",
  { timeout: 120_000 },
  async (t) => {
    const harness = await startBrowserHarness();
    t.teardown(harness.close);
    const { db } = harness.database;
    const tree = await makeTree(db, "Initech");
    const email = "eddie@initech.test";
    const { user, oneTimePassword: password } = await createUser(
      db,
      COMMAND_LINE,
      { email, role: "editor", scope: `unit:${tree.unitId}` },
      TEST_HASHING,
    );
    await db
      .updateTable("users")
      .set({ must_change_password: 0 })
      .where("id", "=", user.id)
      .execute();
    mkdirSync(SCREENSHOTS, { recursive: true });
    const report = new AxeReport();

    /** Checks the page as shown at both widths: no sideways scroll, axe, and a screenshot. */
    async function look(page: Page, name: string): Promise<void> {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
        const o = await sidewaysOverflow(page);
        t.ok(o.scrollWidth <= o.clientWidth, `${name} at ${width}: no sideways scroll`, o);
        t.same(await report.check(page, `${name} at ${width}`), [], `${name} at ${width}: axe`);
        await page.screenshot({ path: `${SCREENSHOTS}/${name}-${width}.png`, fullPage: true });
      }
      t.same(await unnamedFields(page), [], `${name}: every field has a name`);
    }

    const signInWithPassword = async (page: Page) => {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
    };

    // A wrong code answers 401, which Chromium logs as a failed resource.
    const page = await harness.newPage({ signedIn: false, allowConsole: [/status of 401/] });
    await page.goto("/login");
    await signInWithPassword(page);
    await page.waitForURL((url) => url.pathname !== "/login");
    await page.goto("/account");
    await page.getByRole("link", { name: "Set up two-factor sign-in" }).click();
    await page.waitForURL("**/account/two-factor");
    const secret = (await page.locator("[data-secret]").getAttribute("data-secret")) ?? "";
    t.match(secret, /^[A-Z2-7]{32}$/, "the secret is on the page, in data-secret");
    t.ok(await page.locator(".qr-code svg").isVisible(), "the QR code is drawn on the page");
    await look(page, "two-factor-enrol");
    await page.setViewportSize({ width: 1280, height: 900 });
    // axe leaves empty style attributes behind, which htmx would copy onto the swapped-in
    // form (a CSP report no user sees): the form is used on a fresh load of the page.
    await page.reload();
    t.equal(
      await page.locator("[data-secret]").getAttribute("data-secret"),
      secret,
      "the same secret until confirmed",
    );

    // With JavaScript the confirmation swaps the page's part in place (htmx).
    await page.getByLabel("Code from the app").fill("000000");
    await page.getByRole("button", { name: "Turn on" }).click();
    await page.locator("#error-code").waitFor();
    t.match(await page.locator("#error-code").textContent(), /not right/);
    await page.getByLabel("Code from the app").fill(codeAt(secret, Date.now()));
    await page.getByRole("button", { name: "Turn on" }).click();
    await page.locator("#recovery-codes").waitFor();
    t.equal(await page.locator("#recovery-codes li").count(), 10, "ten recovery codes, shown once");
    t.equal(new URL(page.url()).pathname, "/account/two-factor", "swapped in place");
    await look(page, "two-factor-recovery-codes");
    await page.setViewportSize({ width: 1280, height: 900 });

    // Sign out; a private page sends the visitor to sign in, then to the code step.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
    const target = `/units/${tree.unitId}/numbers`;
    await page.goto(target);
    await signInWithPassword(page);
    await page.waitForURL("**/login/code");
    t.pass("a right password leads to the code step");
    await look(page, "two-factor-code");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel("Code").fill("123456");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByRole("alert")
      .getByText(/That code is not right/)
      .waitFor();
    t.equal(await page.locator(".field-error").count(), 0, "one message, not one per field");
    await look(page, "two-factor-code-error");
    await page.setViewportSize({ width: 1280, height: 900 });
    // The next step's code: the enrolment already used this step's.
    await page.getByLabel("Code").fill(codeAt(secret, Date.now() + 30_000));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`**${target}`);
    t.pass("signed in with the code, on the page the visitor asked for");
    await page.getByRole("heading", { name: /Phone numbers/ }).waitFor();

    await page.goto("/account");
    t.match(await page.locator("#two-factor-sign-in").textContent(), /On: sign-in asks for a code/);
    harness.assertNoProblems(t, page);
    await page.context().close();
    t.comment(report.summary());
  },
);
