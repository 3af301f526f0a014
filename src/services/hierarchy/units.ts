import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { BusinessUnit } from "../../db/tables/hierarchy.js";
import { inWriteTransaction } from "../../db/transaction.js";
import { ConflictError, NotFoundError } from "../../domain/errors.js";
import type { Level } from "../../domain/levels.js";
import { type CurrentUser, canManageUnits } from "../../domain/permissions.js";
import { countUnitHoldings } from "../../queries/holdings.js";
import {
  deleteUnitTree,
  findUnit,
  findUnitByName,
  insertUnit,
  listUnits,
  renameUnit,
  type UnitRow,
} from "../../queries/units.js";
import { recordAudit } from "../audit/audit.js";
import { type DeletionCheck, describeDeletion } from "./deletion-check.js";
import { type Place, placeFor } from "./levels.js";
import { checkName, type NameRule, writeNamed } from "./named-writes.js";

const unitManagers = {
  may: canManageUnits,
  refusal: "Your role cannot manage business units here.",
};

/** A business (to list or add units) or a unit (to rename or delete) as the user may use it. */
export const unitPlace = (
  db: Kysely<DB>,
  user: CurrentUser,
  kind: "business" | "unit",
  id: number,
  manage: boolean,
): Promise<Place> => placeFor(db, user, kind, id, unitManagers, manage);

export interface UnitInput {
  name: string;
}

/** Units of the level's business that the user may see (a unit-scoped user sees their own). */
export function listUnitsFor(db: Kysely<DB>, user: CurrentUser, level: Level): Promise<UnitRow[]> {
  return listUnits(db, level.business.id, user.scope.kind === "unit" ? user.scope.unitId : null);
}

/** Unit names are unique within their business. */
const unitNames = (business: { id: number; name: string }): NameRule => ({
  noun: "business unit",
  findByName: (db, name) => findUnitByName(db, business.id, name),
  taken: (name) => `${business.name} already has a business unit named “${name}”.`,
});

export async function createUnit(
  db: Kysely<DB>,
  actor: CurrentUser,
  business: { id: number; name: string },
  input: UnitInput,
): Promise<BusinessUnit> {
  const now = new Date().toISOString();
  const names = unitNames(business);
  return writeNamed(db, names, input.name, async (trx) => {
    const name = await checkName(trx, names, input.name, null);
    const unit = await insertUnit(trx, {
      business_id: business.id,
      name,
      created_at: now,
      updated_at: now,
    });
    await recordAudit(
      trx,
      actor,
      {
        action: "unit.create",
        subjectType: "unit",
        subjectId: unit.id,
        place: { businessId: business.id, unitId: unit.id },
        summary: `Created business unit ${name} in ${business.name}`,
        after: { name },
      },
      now,
    );
    return unit;
  });
}

export async function updateUnit(
  db: Kysely<DB>,
  actor: CurrentUser,
  level: Level,
  input: UnitInput,
): Promise<BusinessUnit> {
  const now = new Date().toISOString();
  const names = unitNames(level.business);
  return writeNamed(db, names, input.name, async (trx) => {
    const before = await findUnit(trx, level.id);
    if (!before) throw new NotFoundError("No such business unit.");
    const name = await checkName(trx, names, input.name, level.id);
    if (name !== before.name) {
      await renameUnit(trx, level.id, name, now);
      await recordAudit(
        trx,
        actor,
        {
          action: "unit.update",
          subjectType: "unit",
          subjectId: level.id,
          place: { businessId: level.business.id, unitId: level.id },
          summary: `Renamed business unit ${before.name} to ${name}`,
          before: { name: before.name },
          after: { name },
        },
        now,
      );
    }
    return { ...before, name, updated_at: now };
  });
}

export async function checkUnitDeletion(db: Kysely<DB>, id: number): Promise<DeletionCheck> {
  return describeDeletion("business unit", await countUnitHoldings(db, id));
}

export async function deleteUnit(
  db: Kysely<DB>,
  actor: CurrentUser,
  level: Level,
): Promise<BusinessUnit> {
  const now = new Date().toISOString();
  return inWriteTransaction(db, async (trx) => {
    const before = await findUnit(trx, level.id);
    if (!before) throw new NotFoundError("No such business unit.");
    const check = describeDeletion("business unit", await countUnitHoldings(trx, level.id));
    if (!check.allowed) throw new ConflictError(`${before.name} ${check.message}`);
    await deleteUnitTree(trx, level.id);
    await recordAudit(
      trx,
      actor,
      {
        action: "unit.delete",
        subjectType: "unit",
        subjectId: level.id,
        place: { businessId: level.business.id, unitId: level.id },
        summary: `Deleted business unit ${before.name} from ${level.business.name}`,
        before: { name: before.name, ...check.holdings },
      },
      now,
    );
    return before;
  });
}
