import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import type { Database } from "../../src/db/database.js";
import type { CurrentUser } from "../../src/domain/permissions.js";
import { toCurrentUser } from "../../src/services/people/users.js";
import { ADMIN_EMAIL, ADMIN_PASSWORD, buildTestApp } from "./app.js";

/** Debian's Chromium; CHROMIUM_PATH points elsewhere (another distribution, a CI image). */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// No sandbox because tests may run as root in a container; the rest keeps Chromium from
// phoning home or updating itself mid-run, which only adds noise and time on a small machine.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/**
 * Console errors a page may log without anything being wrong: Chromium reports every 4xx
 * response as "Failed to load resource", and 422 (form messages) and 409 (a refusal) are how
 * the portal answers forms. Any other status, script error or CSP violation is a failure.
 */
const EXPECTED_CONSOLE_ERRORS = [
  /^Failed to load resource: the server responded with a status of (409|422) /,
];

/** Short waits so a broken page fails in seconds, not after the whole test's timeout. */
const ACTION_TIMEOUT_MS = 10_000;

/** The one assertion the harness makes; any tap Test fits. */
interface Asserts {
  same(found: unknown, wanted: unknown, message: string): boolean;
}

interface NewPageOptions {
  javaScriptEnabled?: boolean;
  /** Signed in as the first portal admin (the default), or a signed-out visitor. */
  signedIn?: boolean;
  /** Further console errors this page is expected to log. */
  allowConsole?: RegExp[];
}

export interface BrowserHarness {
  /** http://127.0.0.1:<port> of the real server. */
  baseUrl: string;
  app: FastifyInstance;
  database: Database;
  browser: Browser;
  /** The first portal admin, whom pages are signed in as; for seeding through the services. */
  admin: CurrentUser;
  /**
   * A page in its own context: own cookies, so flash messages do not leak between pages. It
   * shares the admin's one session, signed in once through the real sign-in page.
   */
  newPage(options?: NewPageOptions): Promise<Page>;
  /** Console errors, uncaught exceptions and CSP violations this page has reported so far. */
  problems(page: Page): string[];
  /** Asserts the page reported none of those; every page should be checked before it ends. */
  assertNoProblems(t: Asserts, page: Page): void;
  /** Closes the browser and the server, and removes the temporary database. */
  close(): Promise<void>;
}

/** Signs in as the first portal admin through the sign-in page, as a person would. */
async function signIn(page: Page): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== "/login"),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

/**
 * Starts the real portal on a free port of 127.0.0.1 and a headless Chromium to drive it.
 * Register `close` with t.teardown right away so no Chromium outlives a failed test.
 */
export async function startBrowserHarness(): Promise<BrowserHarness> {
  const testApp = await buildTestApp();
  const { app, database } = testApp;
  let browser: Browser | null = null;
  try {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;

    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const launched = browser;

    const adminRow = await database.db
      .selectFrom("users")
      .selectAll()
      .where("role", "=", "portal_admin")
      .orderBy("id")
      .executeTakeFirstOrThrow();

    const contexts = new Set<BrowserContext>();
    // The cookies of one sign-in, reused by later pages: signing each page in would spend
    // time hashing and, with a few more tests, run into the per-account sign-in rate limit.
    let session: Awaited<ReturnType<BrowserContext["storageState"]>> | null = null;
    const logs = new Map<Page, string[]>();
    const checked = new Set<Page>();

    const newPage = async (options: NewPageOptions = {}): Promise<Page> => {
      const signedIn = options.signedIn ?? true;
      const context = await launched.newContext({
        baseURL: baseUrl,
        javaScriptEnabled: options.javaScriptEnabled ?? true,
        viewport: { width: 1280, height: 900 },
        ...(signedIn && session ? { storageState: session } : {}),
      });
      contexts.add(context);
      context.setDefaultTimeout(ACTION_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
      const page = await context.newPage();
      const allowed = [...EXPECTED_CONSOLE_ERRORS, ...(options.allowConsole ?? [])];
      const log: string[] = [];
      logs.set(page, log);
      // CSP violations (inline scripts, styles, handlers) arrive as console errors.
      page.on("console", (message) => {
        if (message.type() !== "error") return;
        const text = message.text();
        if (allowed.some((pattern) => pattern.test(text))) return;
        const where = message.location().url;
        // Chromium asks for /favicon.ico on its own; that is not something the page did.
        if (new URL(where || "about:blank").pathname === "/favicon.ico") return;
        log.push(`console error${where ? ` (${where})` : ""}: ${text}`);
      });
      page.on("pageerror", (error) => log.push(`uncaught ${error.name}: ${error.message}`));
      page.on("crash", () => log.push("the page crashed"));
      if (signedIn && !session) {
        await signIn(page);
        session = await context.storageState();
      }
      return page;
    };

    const problems = (page: Page): string[] => [...(logs.get(page) ?? [])];

    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      try {
        for (const context of contexts) await context.close().catch(() => {});
        await launched.close();
      } finally {
        await testApp.close();
      }
      // A page nobody checked must not hide its errors: fail the teardown instead.
      const unchecked = [...logs].filter(([page, log]) => !checked.has(page) && log.length > 0);
      if (unchecked.length > 0) {
        throw new Error(
          `Unchecked page problems:\n${unchecked.flatMap(([, log]) => log).join("\n")}`,
        );
      }
    };

    return {
      baseUrl,
      app,
      database,
      browser: launched,
      admin: toCurrentUser(adminRow),
      newPage,
      problems,
      assertNoProblems: (t, page) => {
        checked.add(page);
        t.same(problems(page), [], "no console errors, uncaught exceptions or CSP violations");
      },
      close,
    };
  } catch (error) {
    await browser?.close().catch(() => {});
    await testApp.close();
    throw error;
  }
}
