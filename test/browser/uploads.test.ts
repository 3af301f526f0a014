import t from "tap";
import { holdWrites } from "../helpers/app.js";
import { startBrowserHarness } from "../helpers/browser.js";
import { countRows, insertNumber, makeTree } from "../helpers/fixtures.js";

// Generous: the suite shares a 2-core machine with the other test files and Chromium.
const TIMEOUT = { timeout: 120_000 };

const harness = await startBrowserHarness();
t.teardown(harness.close);
const { db } = harness.database;
const tree = await makeTree(db, "ACME");
const uploadTab = `/businesses/${tree.businessId}/numbers/delete?tab=upload`;
const atBusiness = { businessId: tree.businessId };
const countNumbers = () => countRows(db, "phone_numbers");

/** A CSV of `count` lines: the given numbers first, then valid ones nobody has. */
const csvOf = (first: string[], count: number): Buffer =>
  Buffer.from(
    [
      "phone_number",
      ...first,
      ...Array.from({ length: count - first.length }, (_, i) => `+1213${4_000_000 + i}`),
    ].join("\r\n"),
  );

t.test(
  "with JavaScript: a progress bar while uploading, then the run's progress",
  TIMEOUT,
  async (t) => {
    await insertNumber(db, "+12133734253", atBusiness);
    const page = await harness.newPage();
    await page.goto(uploadTab);
    t.equal(await page.locator("[data-upload-progress]").isHidden(), true, "no bar before");
    // Every state of the bar and its words, kept in sessionStorage across the navigation. The
    // server's answers replace the bar, so each state is read afresh; the bar shows while the
    // form is out (htmx-request on the form, app.css).
    await page.evaluate(() => {
      const form = document.querySelector("form[data-upload]") as HTMLFormElement;
      const seen: Array<{ hidden: boolean; value: string | null; status: string }> = [];
      new MutationObserver(() => {
        const box = form.querySelector("[data-upload-progress]") as HTMLElement;
        seen.push({
          hidden: getComputedStyle(box).display === "none",
          value: box.querySelector("progress")?.getAttribute("value") ?? null,
          status: box.querySelector(".upload-status")?.textContent ?? "",
        });
        sessionStorage.setItem("upload-seen", JSON.stringify(seen));
      }).observe(form, { attributes: true, subtree: true, childList: true, characterData: true });
    });
    await page.setInputFiles("#field-file", {
      name: "numbers.csv",
      mimeType: "text/csv",
      buffer: csvOf(["+1 213 373 4253"], 20_000),
    });
    await page.getByLabel("Delete the numbers in this file from ACME Corp").check();
    // Another change holds the writer: the run reads its file, then reports that it waits.
    const letGo = await holdWrites(harness.database);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await letGo();
    };
    t.teardown(release);
    // The result opens in the page's dialog, over the Upload tab it started from.
    const dialog = page.locator("dialog#dialog");
    const result = dialog
      .getByRole("heading", { name: "Removed Numbers (1)" })
      .waitFor({ timeout: 90_000 });
    await page.getByRole("button", { name: "Upload and delete" }).click();
    await page
      .locator(".upload-status", { hasText: "20,000 numbers read; waiting for another change" })
      .waitFor({ timeout: 60_000 });
    t.ok(await page.locator("[data-upload-progress]").isVisible(), "the bar is still up");
    t.equal(
      await page.locator(".upload-poll").getAttribute("hx-trigger"),
      "load delay:500ms",
      "the server's fragment polls itself",
    );
    t.equal(await countNumbers(), 1, "nothing removed while the run waits its turn");
    await release();
    await result;
    const seen = JSON.parse(
      (await page.evaluate(() => sessionStorage.getItem("upload-seen"))) ?? "[]",
    ) as Array<{ hidden: boolean; value: string | null; status: string }>;
    t.ok(
      seen.some((s) => !s.hidden && s.status.startsWith("Uploading…")),
      "the bar shows while the file goes up",
    );
    t.ok(
      seen.some((s) => !s.hidden && s.status.startsWith("Processing…") && s.value === null),
      "then an indeterminate bar: Processing…",
    );
    t.ok(
      seen.some((s) => s.status.includes("waiting for another change")),
      "then the run's own progress, from the server",
    );
    await dialog.getByRole("heading", { name: "Rejected Numbers (19,999)" }).waitFor();
    t.match(page.url(), /\?tab=upload$/, "over the Upload tab, no page load");
    t.ok(await dialog.getByText("Page 1 of 100").isVisible(), "a big result pages in the dialog");
    await dialog.getByRole("link", { name: "Next ›" }).click();
    await dialog.getByText("Page 2 of 100").waitFor();
    t.pass("its next page, in the dialog too");
    await dialog.getByRole("link", { name: "Ok" }).click();
    await dialog.waitFor({ state: "hidden" });
    t.ok(
      await page.getByRole("button", { name: "Upload and delete" }).isEnabled(),
      "Ok: the form behind is ready for another file",
    );
    harness.assertNoProblems(t, page);
  },
);

t.test("with JavaScript: a file refused is explained on the form, in place", TIMEOUT, async (t) => {
  const page = await harness.newPage({
    allowConsole: [/^Failed to load resource: the server responded with a status of 400 /],
  });
  await page.goto(uploadTab);
  await page.setInputFiles("#field-file", {
    name: "numbers.csv",
    mimeType: "text/csv",
    buffer: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08]),
  });
  await page.getByLabel("Delete the numbers in this file from ACME Corp").check();
  await page.getByRole("button", { name: "Upload and delete" }).click();
  const error = page.locator("#error-file");
  await error.waitFor();
  t.match(await error.textContent(), /This is a zip file, not a CSV or text file/);
  t.match(page.url(), /\?tab=upload$/, "still on the Upload tab");
  t.equal(await page.locator("#field-file").getAttribute("aria-invalid"), "true");
  t.equal(await page.locator("[data-upload-progress]").isHidden(), true, "no bar left over");
  t.equal(await page.getByRole("button", { name: "Upload and delete" }).isEnabled(), true);
  harness.assertNoProblems(t, page);
});

t.test("without JavaScript the form posts as it is", TIMEOUT, async (t) => {
  await insertNumber(db, "+12133734254", atBusiness);
  const page = await harness.newPage({ javaScriptEnabled: false });
  await page.goto(uploadTab);
  await page.setInputFiles("#field-file", {
    name: "numbers.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("213.373.4254\n"),
  });
  await page.getByLabel("Delete the numbers in this file from ACME Corp").check();
  await Promise.all([
    page.waitForURL(/\/jobs\/\d+$/),
    page.getByRole("button", { name: "Upload and delete" }).click(),
  ]);
  await page.getByRole("heading", { name: "Removed Numbers (1)" }).waitFor();
  harness.assertNoProblems(t, page);
});
