/**
 * Services decide who may do what; routes only translate the answer to HTTP. These call the
 * services directly, with no route in between, so a check that slid back into a route fails here.
 */
import t, { type Test } from "tap";
import { ForbiddenError, NotFoundError } from "../../src/domain/errors.js";
import type { CurrentUser } from "../../src/domain/permissions.js";
import { findUserByEmail } from "../../src/queries/users.js";
import {
  businessById,
  createBusiness,
  listBusinessesFor,
} from "../../src/services/hierarchy/businesses.js";
import {
  allCallPurposes,
  callPurposeById,
  createCallPurpose,
} from "../../src/services/hierarchy/call-purposes.js";
import { programPlace } from "../../src/services/hierarchy/programs.js";
import { unitPlace } from "../../src/services/hierarchy/units.js";
import { managedUserView, userListLevel } from "../../src/services/people/user-views.js";
import { toCurrentUser } from "../../src/services/people/users.js";
import { buildTestApp } from "../helpers/app.js";
import { makeTree, portalAdmin } from "../helpers/fixtures.js";
import { userAgent } from "../helpers/users.js";

/** Passes when the promise is refused with exactly this kind of domain error. */
async function refused(
  t: Test,
  pending: Promise<unknown>,
  kind: typeof ForbiddenError | typeof NotFoundError,
  message = `refused with ${kind.name}`,
): Promise<void> {
  const error = await pending.then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(error instanceof kind, message);
}

t.test("each service refuses what the actor's role does not allow", async (t) => {
  const { app, database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;
  const tree = await makeTree(db);
  const other = await makeTree(db, "Other");
  const as = async (email: string, role: string, scope: string): Promise<CurrentUser> => {
    await userAgent(app, db, email, role, scope);
    const row = await findUserByEmail(db, email);
    if (!row) throw new Error(`no user ${email}`);
    return toCurrentUser(row);
  };
  const admin = await portalAdmin(db);
  const businessAdmin = await as("ba@acme.test", "admin", `business:${tree.businessId}`);
  const editor = await as("ed@acme.test", "editor", `unit:${tree.unitId}`);

  // The portal's catalogs are the portal admin's alone.
  t.equal((await listBusinessesFor(db, admin)).length, 2);
  await refused(t, listBusinessesFor(db, businessAdmin), ForbiddenError);
  await refused(t, businessById(db, businessAdmin, tree.businessId), ForbiddenError);
  await refused(t, createBusiness(db, businessAdmin, { name: "Sneaky" }), ForbiddenError);
  t.ok((await allCallPurposes(db, admin)).length > 0);
  await refused(t, allCallPurposes(db, editor), ForbiddenError);
  await refused(t, callPurposeById(db, editor, 1), ForbiddenError);
  await refused(t, createCallPurpose(db, businessAdmin, { name: "Sneaky" }), ForbiddenError);

  // Units: a business admin manages them in their business; an editor only looks.
  const units = await unitPlace(db, businessAdmin, "business", tree.businessId, true);
  t.equal(units.canManage, true);
  const looking = await unitPlace(db, editor, "unit", tree.unitId, false);
  t.equal(looking.canManage, false, "an editor may look but is told they cannot manage");
  await refused(t, unitPlace(db, editor, "unit", tree.unitId, true), ForbiddenError);
  await refused(
    t,
    unitPlace(db, businessAdmin, "business", other.businessId, false),
    NotFoundError,
    "another tenant's business does not exist for them",
  );

  // Programs: admins manage them; an editor may open one but not change it.
  t.equal((await programPlace(db, businessAdmin, "program", tree.programId, true)).canManage, true);
  await refused(t, programPlace(db, editor, "program", tree.programId, true), ForbiddenError);
  await refused(t, programPlace(db, editor, "program", other.programId, false), NotFoundError);

  // Users: only admins manage users, and never one above their role or outside their scope.
  t.equal(
    (await userListLevel(db, businessAdmin, { kind: "business", id: tree.businessId }))?.id,
    tree.businessId,
  );
  await refused(t, userListLevel(db, businessAdmin, null), ForbiddenError);
  await refused(t, userListLevel(db, editor, { kind: "unit", id: tree.unitId }), ForbiddenError);
  t.equal((await managedUserView(db, businessAdmin, editor.id)).email, "ed@acme.test");
  await refused(t, managedUserView(db, businessAdmin, admin.id), NotFoundError);
  await refused(t, managedUserView(db, editor, businessAdmin.id), NotFoundError);
  await refused(
    t,
    managedUserView(db, businessAdmin, businessAdmin.id),
    ForbiddenError,
    "nobody changes their own role here",
  );
});
