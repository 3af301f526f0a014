import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import {
  ConflictError,
  type FieldErrors,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from "../../domain/errors.js";
import { ERROR_TITLES, jsonError } from "./json.js";

function statusOf(error: FastifyError | Error, request: FastifyRequest): number {
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof ConflictError) return 409;
  if (error instanceof ValidationError) return 422;
  if (error instanceof UnavailableError) return 503;
  const code = (error as FastifyError).statusCode;
  if (typeof code === "number" && code >= 400 && code < 600) return code;
  // The multipart reader throws plain errors for a body it cannot read (no boundary, garbage,
  // cut short) while parsing, before the route's hooks: that is the request's fault.
  if (!request.inputAccepted && request.isMultipart()) return UNREADABLE_UPLOAD;
  return 500;
}

const UNREADABLE_UPLOAD = 400;

/** Client errors explain themselves; server errors say nothing about their insides. */
function publicMessage(status: number, error: Error): string {
  if (error instanceof UnavailableError) return error.message;
  if (status >= 500) return "The portal hit an unexpected problem. Try again, or contact Support.";
  if (status === 404)
    return error instanceof NotFoundError ? error.message : "There is no page here.";
  if (status === 413) return "The request is larger than the portal accepts.";
  if (status === UNREADABLE_UPLOAD && (error as FastifyError).statusCode === undefined) {
    return "The form could not be read: its multipart body is malformed or cut short.";
  }
  const code = (error as FastifyError).code;
  if (code === "FST_CSRF_INVALID_TOKEN" || code === "FST_CSRF_MISSING_SECRET") {
    return "This form has expired or did not come from this portal. Reload the page and try again.";
  }
  return error.message;
}

/**
 * An htmx request that failed shows why in the page's flash region, whatever it aimed at
 * (a dialog, a list, a select-filtered page): the headers retarget the swap there, and the
 * page's htmx config swaps 4xx and 5xx answers (views/layouts/base.eta). Nothing goes into
 * history. Forms sent back with their messages (422, 409, the upload form's 400 and 413) are
 * answered by their routes and swap in place instead.
 */
function flashForHtmx(reply: FastifyReply, message: string): Promise<FastifyReply> {
  reply
    .header("HX-Retarget", "#flash")
    .header("HX-Reswap", "innerHTML")
    .header("HX-Reselect", ".flash")
    .header("HX-Push-Url", "false");
  return reply.fragment("layouts/_flash", { flash: { kind: "error", message } });
}

async function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  errors?: FieldErrors,
): Promise<FastifyReply> {
  reply.code(status);
  if (request.wantsJson) return reply.send(jsonError(status, message, errors));
  if (request.isFragment) return flashForHtmx(reply, message);
  return reply.page("errors/page", { title: ERROR_TITLES[status] ?? "Error", message, status });
}

export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      const status = statusOf(error, request);
      if (status >= 500) request.log.error({ err: error }, "request failed");
      else request.log.info({ status, reason: error.message }, "request refused");
      const errors = error instanceof ValidationError ? error.errors : undefined;
      return sendError(request, reply, status, publicMessage(status, error), errors);
    });
    app.setNotFoundHandler(async (request, reply) =>
      sendError(request, reply, 404, "There is no page here. Check the address, or go back home."),
    );
  },
  { name: "errors", dependencies: ["render"] },
);
