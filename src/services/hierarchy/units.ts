import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { inWriteTransaction, isUniqueViolation } from "../../db/sqlite/sqlite.js";
import type { BusinessUnit } from "../../db/tables/hierarchy.js";
import { ConflictError, NotFoundError, ValidationError } from "../../domain/errors.js";
import type { Level } from "../../domain/levels.js";
import { normaliseName, validateName } from "../../domain/names.js";
import type { CurrentUser } from "../../domain/permissions.js";
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

export interface UnitInput {
  name: string;
}

/** Units of the level's business that the user may see (a unit-scoped user sees their own). */
export function listUnitsFor(db: Kysely<DB>, user: CurrentUser, level: Level): Promise<UnitRow[]> {
  return listUnits(db, level.business.id, user.scope.kind === "unit" ? user.scope.unitId : null);
}

const duplicate = (name: string, businessName: string): ValidationError =>
  new ValidationError({ name: `${businessName} already has a business unit named “${name}”.` });

async function checkName(
  db: Kysely<DB>,
  raw: string,
  business: { id: number; name: string },
  exceptId: number | null,
): Promise<string> {
  const name = normaliseName(raw);
  const problem = validateName(name, "business unit");
  if (problem) throw new ValidationError({ name: problem });
  const existing = await findUnitByName(db, business.id, name);
  if (existing && existing.id !== exceptId) throw duplicate(existing.name, business.name);
  return name;
}

export async function createUnit(
  db: Kysely<DB>,
  actor: CurrentUser,
  business: { id: number; name: string },
  input: UnitInput,
): Promise<BusinessUnit> {
  const now = new Date().toISOString();
  try {
    return await inWriteTransaction(db, async (trx) => {
      const name = await checkName(trx, input.name, business, null);
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
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate(normaliseName(input.name), business.name);
    throw error;
  }
}

export async function updateUnit(
  db: Kysely<DB>,
  actor: CurrentUser,
  level: Level,
  input: UnitInput,
): Promise<BusinessUnit> {
  const now = new Date().toISOString();
  try {
    return await inWriteTransaction(db, async (trx) => {
      const before = await findUnit(trx, level.id);
      if (!before) throw new NotFoundError("No such business unit.");
      const name = await checkName(trx, input.name, level.business, level.id);
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
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate(normaliseName(input.name), level.business.name);
    throw error;
  }
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
