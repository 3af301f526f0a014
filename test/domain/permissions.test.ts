import t from "tap";
import type { Level } from "../../src/domain/levels.js";
import {
  type CurrentUser,
  canManagePortal,
  canManagePrograms,
  canManageUnits,
  canSeeLevel,
} from "../../src/domain/permissions.js";

const acme = { id: 1, name: "ACME" };
const globex = { id: 2, name: "Globex" };
const billing = { id: 10, name: "Billing" };
const sales = { id: 11, name: "Sales" };
const atBusiness = (b = acme): Level => ({
  kind: "business",
  id: b.id,
  business: b,
  unit: null,
  program: null,
});
const atUnit = (u = billing): Level => ({
  kind: "unit",
  id: u.id,
  business: acme,
  unit: u,
  program: null,
});

const portalAdmin: CurrentUser = {
  id: 1,
  email: "p@x",
  role: "portal_admin",
  scope: { kind: "portal" },
};
const businessAdmin: CurrentUser = {
  id: 2,
  email: "a@x",
  role: "admin",
  scope: { kind: "business", businessId: acme.id },
};
const unitAdmin: CurrentUser = {
  id: 3,
  email: "u@x",
  role: "admin",
  scope: { kind: "unit", businessId: acme.id, unitId: billing.id },
};
const businessEditor: CurrentUser = { ...businessAdmin, id: 4, role: "editor" };

t.test("scope decides which levels are visible", async (t) => {
  t.ok(canSeeLevel(portalAdmin, atBusiness(globex)));
  t.ok(canSeeLevel(businessAdmin, atUnit(sales)));
  t.notOk(canSeeLevel(businessAdmin, atBusiness(globex)), "another tenant");
  t.ok(canSeeLevel(unitAdmin, atUnit(billing)));
  t.notOk(canSeeLevel(unitAdmin, atUnit(sales)), "a sibling unit");
  t.notOk(canSeeLevel(unitAdmin, atBusiness()), "the business above the unit");
});

t.test("only portal admins manage businesses and call purposes", async (t) => {
  t.ok(canManagePortal(portalAdmin));
  t.notOk(canManagePortal(businessAdmin));
});

t.test("units are managed by business-scoped admins; programs by any admin in scope", async (t) => {
  t.ok(canManageUnits(businessAdmin, atBusiness()));
  t.notOk(canManageUnits(unitAdmin, atUnit()), "a unit-scoped admin cannot rename their unit");
  t.notOk(canManageUnits(businessEditor, atBusiness()), "editors manage numbers only");
  t.ok(canManagePrograms(unitAdmin, atUnit()));
  t.notOk(canManagePrograms(unitAdmin, atUnit(sales)));
  t.notOk(canManagePrograms(businessEditor, atUnit()));
});
