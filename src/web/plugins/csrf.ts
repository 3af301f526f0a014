/**
 * CSRF: tokens bound to the browser's secret and its session, for forms and htmx's header, and
 * the check on every POST not sent with an API token. Checked in preHandler because a form
 * body is not parsed yet at onRequest.
 */
import csrf from "@fastify/csrf-protection";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { serverSecret } from "../../services/ops/server-secrets.js";

declare module "fastify" {
  interface FastifyReply {
    /** A CSRF token bound to this browser and its session, for forms and htmx headers. */
    csrfToken(): string;
    /** A new CSRF secret for this browser (at sign-in and sign-out): old tokens stop working. */
    rotateCsrfSecret(): FastifyReply;
  }
}

export async function setUpCsrf(
  app: FastifyInstance,
  names: { csrf: string },
  secure: (request: FastifyRequest) => boolean,
): Promise<void> {
  await app.register(csrf, {
    sessionPlugin: "@fastify/cookie",
    cookieKey: names.csrf,
    cookieOpts: { path: "/", sameSite: "lax", httpOnly: true },
    getUserInfo: (request: FastifyRequest) => request.sessionId ?? "signed-out",
    getToken: (request: FastifyRequest) => {
      const body = request.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body._csrf === "string" ? body._csrf : undefined;
      return fromBody ?? (request.headers["x-csrf-token"] as string | undefined) ?? "";
    },
    csrfOpts: { hmacKey: await serverSecret(app.db, "csrf_hmac_key") },
  });

  app.decorateReply("csrfToken", function (this: FastifyReply) {
    return this.generateCsrf({
      userInfo: this.request.sessionId ?? "signed-out",
      secure: secure(this.request),
    } as Parameters<FastifyReply["generateCsrf"]>[0]);
  });
  app.decorateReply("rotateCsrfSecret", function (this: FastifyReply) {
    // generateCsrf makes (and sets the cookie of) a new secret when the request shows none.
    delete this.request.cookies[names.csrf];
    this.csrfToken();
    return this;
  });

  // Every state change is a POST, and every POST proves it came from our own form, or
  // carries a valid API token: a browser never sends one on its own, so no site can forge it.
  app.addHook("preHandler", (request, reply, done) => {
    if (request.method !== "POST" || request.apiToken !== null) return done();
    app.csrfProtection(request, reply, done);
  });
}
