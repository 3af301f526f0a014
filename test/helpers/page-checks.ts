/** Checks for browser tests: focus, asynchronous conditions, and "was there a page load?". */
import type { Locator, Page } from "playwright-core";

export const hasFocus = (locator: Locator): Promise<boolean> =>
  locator.evaluate((element) => element === document.activeElement);

/** Describes the focused element, so a failed focus assertion says where focus went. */
export const focusedElement = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const element = document.activeElement;
    if (!element) return "nothing";
    const label = element.getAttribute("aria-label") ?? element.textContent?.trim() ?? "";
    return `<${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ""}> ${label}`;
  });

/** Polls a condition that the page reaches asynchronously (after a swap, a close event…). */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 5_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The one assertion assertFocus makes; any tap Test fits. */
export interface Ok {
  ok(value: unknown, message: string, extra: Record<string, unknown>): boolean;
}

export async function assertFocus(
  test: Ok,
  page: Page,
  locator: Locator,
  message: string,
): Promise<void> {
  const ok = await eventually(() => hasFocus(locator), 5_000);
  test.ok(ok, message, ok ? {} : { focused: await focusedElement(page) });
}

// A full page load replaces `window`; an htmx swap keeps it, and with it this marker.
export type MarkedWindow = Window & { __marker?: number };
export const setMarker = (page: Page) =>
  page.evaluate(() => {
    (window as MarkedWindow).__marker = 1;
  });
export const readMarker = (page: Page) =>
  page.evaluate(() => (window as MarkedWindow).__marker ?? null);
