/**
 * Requests sent with an API token (Authorization: Bearer nd_…): who sent them, and each
 * token's own rate limit. A session's cookie is auth.ts's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authenticateToken, bearerTokenOf } from "../../services/people/api-tokens.js";
import { toCurrentUser } from "../../services/people/users.js";
import { jsonError } from "./json.js";

/** Requests a minute per API token (scripts; browsers are not limited this way). */
export const TOKEN_RATE_PER_MINUTE = 600;

export function authenticateApiTokens(app: FastifyInstance): void {
  // A browser's request (no Authorization header) passes at once: a callback hook, so the
  // requests that are not scripts' pay no promise and no extra turn for this check.
  app.addHook("onRequest", (request, reply, done) => {
    if (request.headers.authorization === undefined) return done();
    judgeToken(app, request, reply).then((answered) => {
      if (!answered) done();
    }, done);
  });
}

/**
 * A request that shows an Authorization header is judged by it alone: a bad or revoked
 * token is refused, never quietly replaced by whatever session cookie came along. Then each
 * token has its own budget; a runaway script slows itself, not the portal. Counted here
 * rather than with the rate-limit plugin, whose hook would mark the request as limited and so
 * switch off the per-route limits (sign-in, uploads) for it. Counted where every limit is
 * (app.rateCounter): across instances on PostgreSQL. True when it answered (401 or 429).
 */
async function judgeToken(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  const secret = bearerTokenOf(request.headers.authorization ?? "");
  const found = secret ? await authenticateToken(app.db, secret) : null;
  if (!found) {
    reply.code(401).header("WWW-Authenticate", 'Bearer realm="numberdesk", error="invalid_token"');
    reply.send(
      jsonError(
        401,
        secret
          ? "This API token is not valid: unknown, revoked, or its user is disabled."
          : "Send the API token as: Authorization: Bearer <token>.",
      ),
    );
    return true;
  }
  const token = { id: found.token.id, name: found.token.name };
  request.apiToken = token;
  request.viewer = { ...toCurrentUser(found.user), token };

  const now = Date.now();
  const { hits, resetsAt } = await app.rateCounter.hit(`token:${token.id}`, 60_000, now);
  if (hits <= TOKEN_RATE_PER_MINUTE) return false;
  const seconds = Math.max(1, Math.ceil((resetsAt - now) / 1000));
  reply.code(429).header("Retry-After", String(seconds));
  reply.send(
    jsonError(
      429,
      `Too many requests with this token: at most ${TOKEN_RATE_PER_MINUTE} a minute. Try again in ${seconds} s.`,
    ),
  );
  return true;
}
