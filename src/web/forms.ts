import type { FastifyReply, FastifySchema } from "fastify";
import { ConflictError, ValidationError } from "../domain/errors.js";
import { safeRedirect } from "../domain/safe-redirect.js";
import { Field } from "./input-shapes.js";
import type { PageData } from "./plugins/render.js";

/** Route parameter pattern for ids: digits only, so /units/abc is simply not a page (404). */
export const ID = "(^\\d{1,15}$)";

export interface IdParams {
  id: string;
}

export const toId = (raw: string): number => Number(raw);

/**
 * Body schema for a form: every field an optional string. A repeated field (name=a&name=b)
 * arrives as an array and fails with 400 instead of one value silently winning.
 */
export function formSchema(fields: readonly string[]): FastifySchema {
  return {
    // Null too: a post with no fields at all (curl -X POST) is valid.
    body: {
      type: ["object", "null"],
      properties: Object.fromEntries(fields.map((f) => [f, Field()])),
      // Fields the form does not read (_csrf among them) are held to the same shape.
      additionalProperties: Field(),
    },
  };
}

/** The posted fields as strings, missing ones as "" (extra fields are ignored). */
export function formValues<K extends string>(
  body: unknown,
  fields: readonly K[],
): Record<K, string> {
  const source = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    fields.map((f) => [f, typeof source[f] === "string" ? (source[f] as string) : ""]),
  ) as Record<K, string>;
}

/**
 * Re-renders a form after a rule was broken: 422 with the messages next to the fields, or
 * 409 with the refusal for a conflict. Anything else is not the form's business.
 */
export async function renderFormError(
  reply: FastifyReply,
  error: unknown,
  fragmentTemplate: string,
  data: PageData,
): Promise<FastifyReply> {
  if (error instanceof ValidationError) {
    reply.code(422);
    return reply.dialog(fragmentTemplate, { ...data, errors: error.errors });
  }
  if (error instanceof ConflictError) {
    reply.code(409);
    return reply.dialog(fragmentTemplate, { ...data, refusal: error.message });
  }
  throw error;
}

/** Only our own paths are followed back (no open redirect to another site): see safeRedirect. */
export const localPath = (raw: unknown, fallback = "/"): string => safeRedirect(raw, fallback);
