import t from "tap";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "../helpers/app.js";
import { startBrowserHarness } from "../helpers/browser.js";

/**
 * `next` values a browser would read as another host (it drops tabs and newlines and reads
 * `\` as `/`), or as script. Each is followed through a real sign-in in Chromium.
 */
const CORPUS = [
  "/\t/evil.example/link",
  "/\\evil.example/link",
  "/\n/evil.example",
  "/.//evil.example",
  "javascript:alert(document.domain)",
  "/%2F%2Fevil.example",
];

t.test(
  "item 29: Chromium stays on the portal whatever next the sign-in carried",
  { timeout: 120_000 },
  async (t) => {
    const harness = await startBrowserHarness();
    t.teardown(harness.close);
    const portal = new URL(harness.baseUrl).origin;
    for (const next of CORPUS) {
      // A path that is ours but names no page lands on the 404 page, which Chromium logs.
      const page = await harness.newPage({ signedIn: false, allowConsole: [/status of 404/] });
      const elsewhere: string[] = [];
      page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.origin !== portal) elsewhere.push(request.url());
      });
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      await page.getByLabel("Email").fill(ADMIN_EMAIL);
      await page.getByLabel("Password").fill(ADMIN_PASSWORD);
      await Promise.all([
        page.waitForURL((url) => url.pathname !== "/login"),
        page.getByRole("button", { name: "Sign in" }).click(),
      ]);
      await page.waitForLoadState();
      t.equal(new URL(page.url()).origin, portal, `stays on the portal: ${JSON.stringify(next)}`);
      t.same(elsewhere, [], "no request left the portal");
      // Signed in, the sign-in page sends the browser on at once: the same rule holds.
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      await page.waitForLoadState();
      t.equal(new URL(page.url()).origin, portal, "and when already signed in");
      t.same(elsewhere, [], "still no request left the portal");
      harness.assertNoProblems(t, page);
      await page.context().close();
    }
  },
);
