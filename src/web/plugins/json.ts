import type { FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { FieldErrors } from "../../domain/errors.js";

declare module "fastify" {
  interface FastifyRequest {
    /**
     * A script asked for JSON (`Accept: application/json`). Browsers, which list text/html,
     * and htmx, which wants fragments, keep getting HTML from the same URL.
     */
    wantsJson: boolean;
  }
}

function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? "";
  return (
    !request.isFragment && accept.includes("application/json") && !accept.includes("text/html")
  );
}

/** Short titles of error statuses, for error pages and JSON errors alike. */
export const ERROR_TITLES: Readonly<Record<number, string>> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Not allowed",
  404: "Not found",
  405: "Method not allowed",
  406: "Not acceptable",
  409: "Cannot do that",
  413: "Too large",
  415: "Unsupported content",
  422: "Check your input",
  429: "Too many requests",
  500: "Something went wrong",
};

export interface JsonError {
  statusCode: number;
  error: string;
  message: string;
  /** Validation problems (422): field name → message, as shown next to the form's fields. */
  errors?: FieldErrors;
}

/**
 * The one shape of every JSON error: Fastify's own (`statusCode`, `error`, `message`, as its
 * 400 schema errors and the rate limiter's 429 already look), plus `errors` for input to fix.
 */
export function jsonError(status: number, message: string, errors?: FieldErrors): JsonError {
  const body: JsonError = { statusCode: status, error: ERROR_TITLES[status] ?? "Error", message };
  if (errors && Object.keys(errors).length > 0) body.errors = errors;
  return body;
}

/**
 * Content negotiation for scripts: marks requests that want JSON, and makes caches key on
 * Accept as well as on the htmx headers (the htmx plugin sets Vary first).
 */
export const jsonPlugin = fp(
  async (app) => {
    app.decorateRequest("wantsJson", false);
    app.addHook("onRequest", (request, reply, done) => {
      request.wantsJson = wantsJson(request);
      const vary = reply.getHeader("vary");
      reply.header("Vary", vary ? `${vary}, Accept` : "Accept");
      done();
    });
  },
  { name: "json", dependencies: ["htmx"] },
);
