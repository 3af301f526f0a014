import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { ForbiddenError, NotFoundError } from "../../domain/errors.js";
import type { Level, LevelKind, NamedRef } from "../../domain/levels.js";
import { type CurrentUser, canSeeLevel } from "../../domain/permissions.js";
import {
  findLevel,
  listBusinessRefs,
  listProgramRefs,
  listUnitRefs,
} from "../../queries/levels.js";
import type { ReadCache } from "../read-cache.js";

/**
 * Loads a level the user may see. A level that does not exist and one outside the user's
 * scope give the same 404, so ids of other tenants reveal nothing.
 */
export async function resolveLevel(
  db: Kysely<DB>,
  user: CurrentUser,
  kind: LevelKind,
  id: number,
  /** Pages read on every view (dashboard, Overview) keep the level's names until data moves. */
  cache?: ReadCache,
): Promise<Level> {
  const find = () => findLevel(db, kind, id);
  const level = await (cache ? cache.get(`level:${kind}:${id}`, find) : find());
  if (!level || !canSeeLevel(user, level)) throw new NotFoundError(`No such ${kind}.`);
  return level;
}

/** Who may change what a level holds (units, programs), and what to tell the others. */
export interface ManageRule {
  may(user: CurrentUser, level: Level): boolean;
  refusal: string;
}

/** A level opened to list what it holds, with whether the user may change it there. */
export interface Place {
  level: Level;
  canManage: boolean;
}

/**
 * The level named in a URL as a place to list or change things: outside the user's scope it
 * is a 404; asked to `manage` where the rule says no, a 403.
 */
export async function placeFor(
  db: Kysely<DB>,
  user: CurrentUser,
  kind: LevelKind,
  id: number,
  rule: ManageRule,
  manage: boolean,
): Promise<Place> {
  const level = await resolveLevel(db, user, kind, id);
  const canManage = rule.may(user, level);
  if (manage && !canManage) throw new ForbiddenError(rule.refusal);
  return { level, canManage };
}

/** The breadcrumb's menus: the places the user may switch to at each step. */
export interface LevelSwitcher {
  level: Level;
  /** False for a unit-scoped user: the business above their unit is not theirs to open. */
  businessVisible: boolean;
  businesses: NamedRef[];
  units: NamedRef[];
  programs: NamedRef[];
}

/** Every page shows these menus: they are read once per data version, not per request. */
export async function buildLevelSwitcher(
  db: Kysely<DB>,
  cache: ReadCache,
  user: CurrentUser,
  level: Level,
): Promise<LevelSwitcher> {
  const { scope } = user;
  const onlyBusiness = scope.kind === "portal" ? null : scope.businessId;
  const onlyUnit = scope.kind === "unit" ? scope.unitId : null;
  const unitId = level.unit?.id;
  const businesses = await cache.get(`switcher-businesses:${onlyBusiness}`, () =>
    listBusinessRefs(db, onlyBusiness),
  );
  const units = await cache.get(`switcher-units:${level.business.id}:${onlyUnit}`, () =>
    listUnitRefs(db, level.business.id, onlyUnit),
  );
  const programs =
    unitId === undefined
      ? []
      : await cache.get(`switcher-programs:${unitId}`, () => listProgramRefs(db, unitId));
  return { level, businessVisible: scope.kind !== "unit", businesses, units, programs };
}

/** The level a business- or unit-scoped user starts from; a portal admin has none. */
export async function homeLevelOf(db: Kysely<DB>, user: CurrentUser): Promise<Level | null> {
  const { scope } = user;
  if (scope.kind === "portal") return null;
  return (
    (scope.kind === "unit"
      ? await findLevel(db, "unit", scope.unitId)
      : await findLevel(db, "business", scope.businessId)) ?? null
  );
}
