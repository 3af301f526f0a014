/**
 * Requests sent with an API token (Authorization: Bearer nd_…): who sent them, and each
 * token's own rate limit. A session's cookie is auth.ts's.
 */
import type { FastifyInstance } from "fastify";
import { authenticateToken, bearerTokenOf } from "../../services/people/api-tokens.js";
import { toCurrentUser } from "../../services/people/users.js";
import { jsonError } from "./json.js";

/** Requests a minute per API token (scripts; browsers are not limited this way). */
export const TOKEN_RATE_PER_MINUTE = 600;

export function authenticateApiTokens(app: FastifyInstance): void {
  // A request that shows an Authorization header is judged by it alone: a bad or revoked
  // token is refused, never quietly replaced by whatever session cookie came along.
  app.addHook("onRequest", async (request, reply) => {
    const authorization = request.headers.authorization;
    if (authorization === undefined) return;
    const secret = bearerTokenOf(authorization);
    const found = secret ? await authenticateToken(app.db, secret) : null;
    if (!found) {
      reply
        .code(401)
        .header("WWW-Authenticate", 'Bearer realm="numberdesk", error="invalid_token"');
      return reply.send(
        jsonError(
          401,
          secret
            ? "This API token is not valid: unknown, revoked, or its user is disabled."
            : "Send the API token as: Authorization: Bearer <token>.",
        ),
      );
    }
    const token = { id: found.token.id, name: found.token.name };
    request.apiToken = token;
    request.viewer = { ...toCurrentUser(found.user), token };
  });

  // Each token has its own budget; a runaway script slows itself, not the portal. Counted
  // here rather than with the rate-limit plugin, whose hook would mark the request as
  // limited and so switch off the per-route limits (sign-in, uploads) for it. Counted where
  // every limit is (app.rateCounter): across instances on PostgreSQL.
  app.addHook("onRequest", async (request, reply) => {
    if (request.apiToken === null) return;
    const now = Date.now();
    const { hits, resetsAt } = await app.rateCounter.hit(
      `token:${request.apiToken.id}`,
      60_000,
      now,
    );
    if (hits <= TOKEN_RATE_PER_MINUTE) return;
    const seconds = Math.max(1, Math.ceil((resetsAt - now) / 1000));
    reply.code(429).header("Retry-After", String(seconds));
    return reply.send(
      jsonError(
        429,
        `Too many requests with this token: at most ${TOKEN_RATE_PER_MINUTE} a minute. Try again in ${seconds} s.`,
      ),
    );
  });
}
