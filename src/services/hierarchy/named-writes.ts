import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { isUniqueViolation } from "../../db/errors.js";
import { inWriteTransaction } from "../../db/transaction.js";
import { ValidationError } from "../../domain/errors.js";
import { normaliseName, validateName } from "../../domain/names.js";

/**
 * How one kind of named place (business, unit, program, call purpose) keeps its names unique
 * among its siblings. The database's case-insensitive unique index is the final word; the
 * look-up only lets the form say so before the insert.
 */
export interface NameRule {
  /** The noun in messages: "business unit". */
  noun: string;
  /** The sibling already holding `name` (compared case-insensitively), if any. */
  findByName(db: Kysely<DB>, name: string): Promise<{ id: number; name: string } | undefined>;
  /** The message when `name` is taken. */
  taken(name: string): string;
}

/** The name's problem as a message, or null when `name` (already normalised) may be used. */
export async function nameProblem(
  db: Kysely<DB>,
  rule: NameRule,
  name: string,
  exceptId: number | null,
): Promise<string | null> {
  const problem = validateName(name, rule.noun);
  if (problem) return problem;
  const existing = await rule.findByName(db, name);
  return existing && existing.id !== exceptId ? rule.taken(existing.name) : null;
}

/** The normalised name, or a 422 naming the problem. */
export async function checkName(
  db: Kysely<DB>,
  rule: NameRule,
  raw: string,
  exceptId: number | null,
): Promise<string> {
  const name = normaliseName(raw);
  const problem = await nameProblem(db, rule, name, exceptId);
  if (problem) throw new ValidationError({ name: problem });
  return name;
}

/**
 * A write that sets a name, in one write transaction. Two writers can both pass the look-up
 * before either commits; the loser's unique-index error then reads as the same message.
 */
export async function writeNamed<T>(
  db: Kysely<DB>,
  rule: Pick<NameRule, "taken">,
  rawName: string,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  try {
    return await inWriteTransaction(db, work);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ValidationError({ name: rule.taken(normaliseName(rawName)) });
    }
    throw error;
  }
}
