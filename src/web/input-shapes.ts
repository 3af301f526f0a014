/**
 * The shape every request's input must have before a route sees it (hardening item 30): each
 * query field and each form field once, as text, of sane length. A repeated field
 * (`?q=1&q=2`) arrives from Fastify's parsers as an array, which used to reach services that
 * expected a string (500) or let one value silently win; now it is a 400 that names the field.
 *
 * Routes that know their fields declare them (formSchema, TypeBox); every route gets the
 * default for what it does not declare, added here as it is registered, so a new route is
 * covered without anyone remembering to. The same hook keeps the list of routes, which the
 * generated tests walk.
 */
import type { FastifySchema, FastifySchemaValidationError, RouteOptions } from "fastify";
import fp from "fastify-plugin";
import { Type } from "typebox";

/** Longer than any field a form of the portal has (names 100, lists go in `numbers`). */
const FIELD_MAX_LENGTH = 2000;

/**
 * No NUL anywhere: no form or address of the portal has a use for one, and PostgreSQL
 * refuses it in text, so it is a 400 here, before any query, on both databases alike (other
 * control characters are replaced where text is kept, see domain/text.ts).
 */
const NO_NUL = "^[^\\u0000]*$";

/** One field: text, given once, at most FIELD_MAX_LENGTH characters, without NUL. */
export const Field = (maxLength = FIELD_MAX_LENGTH) => Type.String({ maxLength, pattern: NO_NUL });

/** A query string of single, bounded text fields, whatever their names. */
const ANY_QUERY = Type.Object({}, { additionalProperties: Field() });

/**
 * A form body of single, bounded text fields. Null too: a post with no fields at all
 * (`curl -X POST`) is valid.
 */
const ANY_FORM = {
  ...Type.Object({}, { additionalProperties: Field() }),
  type: ["object", "null"],
};

export interface RegisteredRoute {
  method: string;
  url: string;
  schema: FastifySchema;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route as registered (method, URL, schema): what the generated tests walk. */
    registeredRoutes: RegisteredRoute[];
  }
  interface FastifyRequest {
    /** Validation passed and the route's own hooks began: the body was read and had its shape. */
    inputAccepted: boolean;
  }
}

const fieldOf = (error: FastifySchemaValidationError): string => {
  const missing = (error.params as { missingProperty?: string }).missingProperty;
  if (missing) return missing;
  return error.instancePath.replace(/^\//, "").split("/")[0] ?? "";
};

/** One sentence a person or a script can act on, naming the field. */
function shapeMessage(errors: FastifySchemaValidationError[], where: string): string {
  const error = errors[0];
  const part = where === "querystring" ? "address" : where === "params" ? "address" : "form";
  if (!error) return `The ${part} could not be read.`;
  const field = fieldOf(error);
  const params = error.params as { limit?: number; type?: string | string[] };
  if (field === "") return `The ${part} could not be read: send fields as name=value pairs.`;
  switch (error.keyword) {
    case "type":
      return params.type === "string"
        ? `The field “${field}” must be given once, as text.`
        : `The field “${field}” has the wrong type: expected ${String(params.type)}.`;
    case "maxLength":
      return `The field “${field}” is too long: at most ${params.limit} characters.`;
    case "maxItems":
      return `Too many values for “${field}”: at most ${params.limit}.`;
    case "required":
      return `The field “${field}” is missing.`;
    case "pattern":
      return `The field “${field}” holds a NUL character, which no text in the portal may.`;
    default:
      return `The field “${field}” is not valid: ${error.message ?? "check it"}.`;
  }
}

export const inputShapesPlugin = fp(
  async (app) => {
    app.decorate("registeredRoutes", [] as RegisteredRoute[]);
    app.decorateRequest("inputAccepted", false);
    app.setSchemaErrorFormatter((errors, where) => new Error(shapeMessage(errors, where)));
    app.addHook("onRoute", (route: RouteOptions) => {
      const schema: FastifySchema = { ...(route.schema ?? {}) };
      schema.querystring ??= ANY_QUERY;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (methods.includes("POST")) schema.body ??= ANY_FORM;
      route.schema = schema;
      for (const method of methods) app.registeredRoutes.push({ method, url: route.url, schema });
    });
    // preHandler runs after parsing and validation: an error before it is the input's fault.
    app.addHook("preHandler", (request, _reply, done) => {
      request.inputAccepted = true;
      done();
    });
  },
  { name: "input-shapes" },
);
