/**
 * The `requireUser` guard on every page but sign-in, health and static files: signed out goes
 * to sign-in (and back), a password to change comes first, and a session under a two-factor
 * rule without a second factor is held at the enrolment page until it has one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { safeRedirect } from "../../domain/safe-redirect.js";
import { jsonError } from "./json.js";

declare module "fastify" {
  interface FastifyInstance {
    /** onRequest guard for everything but sign-in, health and static files. */
    requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

/** Where a session that must enrol a second factor is held until it has. */
const ENROL_PATH = "/account/two-factor";

/** Where a signed-out request goes: the sign-in page, coming back here afterwards. */
function signInUrl(request: FastifyRequest): string {
  const back =
    request.method === "GET" && !request.isFragment
      ? request.url
      : (request.headers["hx-current-url"] as string | undefined);
  let next = "/";
  if (back) {
    // HX-Current-URL is absolute (the page's own address): only its path and query come back.
    try {
      const url = new URL(back, "http://x");
      next = safeRedirect(url.pathname + url.search);
    } catch {
      next = "/";
    }
  }
  return next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;
}

export function decorateRequireUser(app: FastifyInstance): void {
  app.decorate("requireUser", async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.viewer) {
      const target = signInUrl(request);
      if (request.isFragment) {
        reply.header("HX-Redirect", target);
        reply.code(401);
        return reply.send("Sign in to continue.");
      }
      if (request.headers.accept?.includes("text/html")) {
        return reply.redirect(target, 303);
      }
      reply.code(401);
      return reply.send(jsonError(401, "Sign in to continue."));
    }
    request.user = request.viewer;
    if (request.mustChangePassword && !request.url.startsWith("/account/password")) {
      return reply.redirect("/account/password", 303);
    }
    // Under a two-factor rule without a second factor: enrolment before anything else
    // (signing out, outside this guard, still works).
    if (
      request.mustEnrolTwoFactor &&
      !request.mustChangePassword &&
      request.url !== ENROL_PATH &&
      !request.url.startsWith(`${ENROL_PATH}?`)
    ) {
      const message = "Set up two-factor sign-in first: your portal requires it.";
      if (request.isFragment) {
        reply.header("HX-Redirect", ENROL_PATH);
        reply.code(403);
        return reply.send(message);
      }
      if (request.wantsJson) {
        reply.code(403);
        return reply.send(jsonError(403, `${message} Open ${ENROL_PATH} in a browser.`));
      }
      return reply.redirect(ENROL_PATH, 303);
    }
  });
}
