import type { Locator, Page } from "playwright-core";
import t from "tap";
import { startBrowserHarness } from "../helpers/browser.js";

// Generous: the suite shares a 2-core machine with the other test files and Chromium.
const TIMEOUT = { timeout: 90_000 };

const harness = await startBrowserHarness();
t.teardown(harness.close);

type HtmxWindow = Window & { htmx: { process(element: Element): void } };

/**
 * A phone-number field wired to the live check the way the Manage pages use it, placed on a
 * signed-in page (the check itself is a bare fragment). Added through page.evaluate: the CSP
 * forbids inline scripts, and this is not one.
 */
async function addCheckedField(page: Page): Promise<{ field: Locator; verdict: Locator }> {
  await page.goto("/account");
  await page.evaluate(() => {
    const main = document.querySelector("main");
    if (!main) throw new Error("no <main> on the page");
    main.insertAdjacentHTML(
      "beforeend",
      '<label for="n">Phone number</label>' +
        '<input id="n" name="number" hx-get="/numbers/check" ' +
        'hx-trigger="input changed delay:200ms" hx-target="#n-check">' +
        '<span id="n-check"></span>',
    );
    (window as unknown as HtmxWindow).htmx.process(main);
  });
  return { field: page.locator("#n"), verdict: page.locator("#n-check") };
}

/** The computed text colour as [r, g, b]. */
const colourOf = (locator: Locator): Promise<number[]> =>
  locator.evaluate((element) =>
    (getComputedStyle(element).color.match(/\d+/g) ?? []).slice(0, 3).map(Number),
  );

t.test(
  "the live check: green checkmark, the reason in red, nothing when empty",
  TIMEOUT,
  async (t) => {
    const page = await harness.newPage();
    const { field, verdict } = await addCheckedField(page);

    await field.pressSequentially("(213) 373-4253");
    const valid = verdict.locator(".check-valid");
    await valid.waitFor({ state: "visible" });
    t.match(
      await valid.textContent(),
      /^✓\s+Valid:\s+\(213\) 373-4253 · \+12133734253$/,
      "the number as read",
    );
    t.equal(await valid.getAttribute("role"), "status", "announced to screen readers");
    t.equal(
      await valid.locator("[aria-hidden=true]").textContent(),
      "✓",
      "the mark itself is not read",
    );
    const [r = 0, g = 0, b = 0] = await colourOf(valid);
    t.ok(g > r + 40 && g > b + 40, `the checkmark is green (rgb ${r}, ${g}, ${b})`);

    await field.fill("1-800-FLOWERS");
    const invalid = verdict.locator(".check-invalid");
    await invalid.waitFor({ state: "visible" });
    t.match(await invalid.textContent(), /^Letters are not allowed/);
    t.equal(await verdict.locator(".check-valid").count(), 0, "the checkmark is gone");
    const [r2 = 0, g2 = 0, b2 = 0] = await colourOf(invalid);
    t.ok(r2 > g2 + 40 && r2 > b2 + 40, `the message is red (rgb ${r2}, ${g2}, ${b2})`);

    await field.fill("");
    await invalid.waitFor({ state: "detached" });
    t.equal((await verdict.innerHTML()).trim(), "", "an emptied field has no verdict");

    harness.assertNoProblems(t, page);
  },
);
