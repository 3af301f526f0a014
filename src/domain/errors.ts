/** Messages for a form, keyed by field name; empty when the input is valid. */
export type FieldErrors = Record<string, string>;

export function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0;
}

/** A rule was broken by the user's input: the route answers 422 with the form and messages. */
export class ValidationError extends Error {
  constructor(readonly errors: FieldErrors) {
    super(Object.values(errors).join(" "));
  }
}

/** The thing does not exist, or the user may not know it does: answered with 404. */
export class NotFoundError extends Error {}

/** The user may see the thing but not do this to it: answered with 403. */
export class ForbiddenError extends Error {}

/**
 * The work could not be done now and nothing was changed (the database connection was lost
 * mid-run, say): answered with 503, the message saying so; trying again may succeed.
 */
export class UnavailableError extends Error {}

/** The request is well-formed but conflicts with the data (e.g. deleting a unit that holds numbers): 409. */
export class ConflictError extends Error {}
