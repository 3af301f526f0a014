import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { Program } from "../../db/tables/hierarchy.js";
import { inWriteTransaction } from "../../db/transaction.js";
import { validateDisplayName } from "../../domain/display-name.js";
import {
  PROGRAM_STATUS_LABELS,
  type ProgramStatus,
  programStatus,
  today,
  validateDuration,
} from "../../domain/duration.js";
import {
  ConflictError,
  type FieldErrors,
  hasErrors,
  NotFoundError,
  ValidationError,
} from "../../domain/errors.js";
import type { Level, LevelKind, NamedRef } from "../../domain/levels.js";
import { normaliseName, validateName } from "../../domain/names.js";
import { type CurrentUser, canManagePrograms, canSeeLevel } from "../../domain/permissions.js";
import { findCallPurpose } from "../../queries/call-purposes.js";
import { countProgramHoldings } from "../../queries/holdings.js";
import { findLevel } from "../../queries/levels.js";
import {
  deleteProgram as deleteProgramRow,
  findProgram,
  findProgramByName,
  findProgramRow,
  insertProgram,
  listPrograms,
  type ProgramRow,
  updateProgram as updateProgramRow,
} from "../../queries/programs.js";
import { recordAudit } from "../audit/audit.js";
import { type DeletionCheck, describeDeletion } from "./deletion-check.js";
import { type Place, placeFor } from "./levels.js";
import { type NameRule, nameProblem, writeNamed } from "./named-writes.js";

const programManagers = {
  may: canManagePrograms,
  refusal: "Your role cannot manage programs here.",
};

/** A business or unit (to list or add programs) or a program (to change it) as the user may use it. */
export const programPlace = (
  db: Kysely<DB>,
  user: CurrentUser,
  kind: LevelKind,
  id: number,
  manage: boolean,
): Promise<Place> => placeFor(db, user, kind, id, programManagers, manage);

/** The program form's fields, as posted. */
export interface ProgramInput {
  name: string;
  display_name: string;
  call_purpose: string;
  starts_on: string;
  ends_on: string;
  /** Only on the business-level form, where the unit is chosen. */
  unit_id?: string;
}

export interface ProgramView extends ProgramRow {
  status: ProgramStatus;
  statusLabel: string;
}

function toProgramView(row: ProgramRow, on: string = today()): ProgramView {
  const status = programStatus({ startsOn: row.starts_on, endsOn: row.ends_on }, on);
  return { ...row, status, statusLabel: PROGRAM_STATUS_LABELS[status] };
}

/** Programs at a level: all of a business's (or of a unit-scoped user's unit), or one unit's. */
export async function listProgramsFor(
  db: Kysely<DB>,
  user: CurrentUser,
  level: Level,
): Promise<ProgramView[]> {
  const unitId = level.unit?.id ?? (user.scope.kind === "unit" ? user.scope.unitId : null);
  const rows = await listPrograms(db, { businessId: level.business.id, unitId });
  return rows.map((row) => toProgramView(row));
}

export async function findProgramView(db: Kysely<DB>, id: number): Promise<ProgramView> {
  const row = await findProgramRow(db, id);
  if (!row) throw new NotFoundError("No such program.");
  return toProgramView(row);
}

const optionalDate = (raw: string): string | null => (raw.trim() === "" ? null : raw.trim());
const parseId = (raw: string | undefined): number | null =>
  raw !== undefined && /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : null;

interface CheckedProgram {
  name: string;
  display_name: string;
  default_call_purpose_id: number;
  starts_on: string | null;
  ends_on: string | null;
}

/** Program names are unique within their unit. */
const programNames = (unit: NamedRef): NameRule => ({
  noun: "program",
  findByName: (db, name) => findProgramByName(db, unit.id, name),
  taken: (name) => `${unit.name} already has a program named “${name}”.`,
});

/** The words for a name lost to a concurrent write; at business level the unit is the posted one. */
const programNamesAt = (level: Level): Pick<NameRule, "taken"> =>
  level.unit
    ? programNames(level.unit)
    : { taken: () => "A program with this name already exists in the unit." };

/** Applies every program rule; collects all messages so the form shows them at once. */
async function checkProgram(
  db: Kysely<DB>,
  input: ProgramInput,
  unit: NamedRef | null,
  current: Program | null,
  errors: FieldErrors,
): Promise<CheckedProgram> {
  const name = normaliseName(input.name);
  const problem = unit
    ? await nameProblem(db, programNames(unit), name, current?.id ?? null)
    : validateName(name, "program");
  if (problem) errors.name = problem;
  const displayProblem = validateDisplayName(input.display_name);
  if (displayProblem) errors.display_name = displayProblem;

  const purposeId = parseId(input.call_purpose);
  const purpose = purposeId === null ? undefined : await findCallPurpose(db, purposeId);
  // A retired purpose may stay on a program that already has it, but is not offered anew.
  const keepsRetired = purpose && current && purpose.id === current.default_call_purpose_id;
  if (!purpose) errors.call_purpose = "Choose a call purpose from the list.";
  else if (purpose.retired_at !== null && !keepsRetired) {
    errors.call_purpose = `${purpose.name} is retired; choose another call purpose.`;
  }

  const duration = { startsOn: optionalDate(input.starts_on), endsOn: optionalDate(input.ends_on) };
  Object.assign(errors, validateDuration(duration));

  return {
    name,
    display_name: input.display_name,
    default_call_purpose_id: purpose?.id ?? 0,
    starts_on: duration.startsOn,
    ends_on: duration.endsOn,
  };
}

/**
 * The unit a new program goes into: the level's own unit, or at business level the posted
 * unit_id, which must be a unit of this business that the user may see.
 */
async function chooseUnit(
  db: Kysely<DB>,
  user: CurrentUser,
  level: Level,
  input: ProgramInput,
  errors: FieldErrors,
): Promise<NamedRef | null> {
  if (level.unit) return level.unit;
  const unitId = parseId(input.unit_id);
  const unitLevel = unitId === null ? undefined : await findLevel(db, "unit", unitId);
  if (!unitLevel || unitLevel.business.id !== level.business.id || !canSeeLevel(user, unitLevel)) {
    errors.unit_id = `Choose one of ${level.business.name}’s business units.`;
    return null;
  }
  return unitLevel.unit;
}

export async function createProgram(
  db: Kysely<DB>,
  actor: CurrentUser,
  level: Level,
  input: ProgramInput,
): Promise<Program> {
  const now = new Date().toISOString();
  return writeNamed(db, programNamesAt(level), input.name, async (trx) => {
    const errors: FieldErrors = {};
    const unit = await chooseUnit(trx, actor, level, input, errors);
    const checked = await checkProgram(trx, input, unit, null, errors);
    if (hasErrors(errors) || !unit) throw new ValidationError(errors);
    const program = await insertProgram(trx, {
      ...checked,
      business_id: level.business.id,
      business_unit_id: unit.id,
      created_at: now,
      updated_at: now,
    });
    await recordAudit(
      trx,
      actor,
      {
        action: "program.create",
        subjectType: "program",
        subjectId: program.id,
        place: { businessId: level.business.id, unitId: unit.id, programId: program.id },
        summary: `Created program ${checked.name} in ${unit.name}`,
        after: checked,
      },
      now,
    );
    return program;
  });
}

export async function updateProgram(
  db: Kysely<DB>,
  actor: CurrentUser,
  level: Level,
  input: ProgramInput,
): Promise<Program> {
  const now = new Date().toISOString();
  return writeNamed(db, programNamesAt(level), input.name, async (trx) => {
    const before = await findProgram(trx, level.id);
    if (!before || !level.unit) throw new NotFoundError("No such program.");
    const errors: FieldErrors = {};
    const checked = await checkProgram(trx, input, level.unit, before, errors);
    if (hasErrors(errors)) throw new ValidationError(errors);
    const beforeFields: CheckedProgram = {
      name: before.name,
      display_name: before.display_name,
      default_call_purpose_id: before.default_call_purpose_id,
      starts_on: before.starts_on,
      ends_on: before.ends_on,
    };
    const changed = (Object.keys(checked) as Array<keyof CheckedProgram>).filter(
      (key) => checked[key] !== beforeFields[key],
    );
    if (changed.length > 0) {
      await updateProgramRow(trx, level.id, { ...checked, updated_at: now });
      await recordAudit(
        trx,
        actor,
        {
          action: "program.update",
          subjectType: "program",
          subjectId: level.id,
          place: { businessId: level.business.id, unitId: level.unit.id, programId: level.id },
          summary: `Updated program ${checked.name}: ${changed.join(", ")}`,
          before: Object.fromEntries(changed.map((k) => [k, beforeFields[k]])),
          after: Object.fromEntries(changed.map((k) => [k, checked[k]])),
        },
        now,
      );
    }
    return { ...before, ...checked, updated_at: now };
  });
}

export async function checkProgramDeletion(db: Kysely<DB>, id: number): Promise<DeletionCheck> {
  return describeDeletion("program", await countProgramHoldings(db, id));
}

export async function deleteProgram(
  db: Kysely<DB>,
  actor: CurrentUser,
  level: Level,
): Promise<Program> {
  const now = new Date().toISOString();
  return inWriteTransaction(db, async (trx) => {
    const before = await findProgram(trx, level.id);
    if (!before) throw new NotFoundError("No such program.");
    const check = describeDeletion("program", await countProgramHoldings(trx, level.id));
    if (!check.allowed) throw new ConflictError(`${before.name} ${check.message}`);
    await deleteProgramRow(trx, level.id);
    await recordAudit(
      trx,
      actor,
      {
        action: "program.delete",
        subjectType: "program",
        subjectId: level.id,
        place: {
          businessId: level.business.id,
          unitId: before.business_unit_id,
          programId: level.id,
        },
        summary: `Deleted program ${before.name}`,
        before,
      },
      now,
    );
    return before;
  });
}

/** In a program, new numbers take the program's default purpose; elsewhere there is none. */
export async function defaultPurposeAt(db: Kysely<DB>, level: Level): Promise<number | null> {
  const program = level.program ? await findProgram(db, level.program.id) : undefined;
  return program ? program.default_call_purpose_id : null;
}
