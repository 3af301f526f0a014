import type { Page } from "playwright-core";
import { today } from "../../src/domain/duration.js";
import { resolveLevel } from "../../src/services/hierarchy/levels.js";
import { createProgram } from "../../src/services/hierarchy/programs.js";
import { removeNumber } from "../../src/services/numbers/numbers.js";
import { plusDays } from "../../src/services/overview/expiring.js";
import type { BrowserHarness } from "./browser.js";
import { callPurposeId, insertNumber, makeTree, numberId } from "./fixtures.js";

/** Where the layout suites take screenshots: gitignored, kept with tap's own output. */
export const SCREENSHOTS = ".tap/screenshots";

/**
 * Ground for the layout suites: ACME with its unit and program, a second program with the
 * longest display name allowed that stops branding in 10 days, twelve numbers (one of them
 * British, one at business level), and one removed a moment ago.
 */
export async function seedScreens(harness: BrowserHarness) {
  const { db } = harness.database;
  const tree = await makeTree(db, "ACME");
  const unit = await resolveLevel(db, harness.admin, "unit", tree.unitId);
  const on = today();
  const ending = await createProgram(db, harness.admin, unit, {
    name: "Spring appointment reminders for all regions",
    display_name: "ACME Appointments & Billing",
    call_purpose: String(await callPurposeId(db, "appointment_reminder")),
    starts_on: plusDays(on, -60),
    ends_on: plusDays(on, 10),
  });
  const { businessId, unitId, programId } = tree;
  for (let i = 0; i < 6; i++) {
    await insertNumber(db, `+1213373425${i}`, { businessId, unitId, programId });
  }
  for (let i = 0; i < 3; i++) {
    await insertNumber(db, `+1310728441${i}`, { businessId, unitId, programId: ending.id });
  }
  await insertNumber(db, "+442079460959", { businessId, unitId });
  await insertNumber(db, "+14157281200", { businessId });
  await insertNumber(db, "+12133734259", { businessId, unitId, programId });
  await removeNumber(db, harness.admin, await numberId(db, "+12133734259"));
  return { ...tree, endingId: ending.id, firstNumber: await numberId(db, "+12133734250") };
}

/** How far the document scrolls sideways, and the elements that reach past the viewport. */
export function sidewaysOverflow(page: Page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const culprits = [...document.querySelectorAll("body *")]
      .filter((e) => {
        const box = e.getBoundingClientRect();
        return box.width > 0 && box.right > width + 1;
      })
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}.${e.className}`);
    return { scrollWidth: root.scrollWidth, clientWidth: width, culprits };
  });
}
