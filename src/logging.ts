/**
 * What the portal's JSON log lines (pino, through Fastify) carry: a request id on every line
 * of a request, and never a secret. Headers and bodies are not logged at all by Fastify's
 * serializers; the redaction below is the second lock, for anything that ever logs them.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyServerOptions } from "fastify";

/** Where log lines go: stdout by default, a collector in tests. */
export interface LogStream {
  write(line: string): void;
}

export const REQUEST_ID_HEADER = "x-request-id";

/** What an incoming id may look like: a UUID, a proxy's hex id, a trace id. Nothing else. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of a request: the reverse proxy's (or client's) `X-Request-Id` when it is sane, so
 * one id follows a request through the proxy's log and ours; otherwise a fresh UUID. An id
 * with spaces, quotes or line breaks could forge log lines or break a log search.
 */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Form fields that hold a password (sign-in, Account, user forms). */
const PASSWORD_FIELDS = ["password", "current_password", "new_password", "confirm_password"];
const SECRET_HEADERS = ["authorization", "cookie", '"set-cookie"', '"x-csrf-token"'];

/** Paths pino replaces by "[redacted]" wherever a log line carries them. */
const REDACTED_PATHS = [
  ...SECRET_HEADERS.flatMap((h) => [`req.headers.${h}`, `res.headers.${h}`, `headers.${h}`]),
  ...PASSWORD_FIELDS.flatMap((f) => [f, `body.${f}`, `req.body.${f}`]),
  "token",
  "body._csrf",
  "req.body._csrf",
];

/** Fastify's logger options: JSON lines at `level`, to `stream` (stdout when not given). */
export function loggerOptions(
  level: string,
  stream?: LogStream,
): NonNullable<Exclude<FastifyServerOptions["logger"], boolean>> {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    ...(stream ? { stream } : {}),
  };
}
