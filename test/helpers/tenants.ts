import type { Test } from "tap";
import { buildTestApp } from "./app.js";
import { makeTree } from "./fixtures.js";

/**
 * The portal with two tenants, ACME and Globex, each a business with one unit ("Billing")
 * and one program ("Q4 Reminders"): the usual ground for tests that must show one tenant
 * never sees the other. Closed when the test ends.
 */
export async function buildTwoTenants(t: Test) {
  const built = await buildTestApp();
  t.teardown(built.close);
  const acme = await makeTree(built.database.db, "ACME");
  const globex = await makeTree(built.database.db, "Globex");
  return { ...built, acme, globex };
}
