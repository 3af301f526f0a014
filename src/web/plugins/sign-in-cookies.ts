/**
 * The cookies of signing in: the session's and, between the password and the code, the
 * challenge's (the CSRF secret's cookie is csrf.ts's). auth.ts sets them up on the reply.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SESSION_ABSOLUTE_MS } from "../../services/people/sessions.js";
import { CHALLENGE_SECONDS } from "../../services/people/two-factor.js";

declare module "fastify" {
  interface FastifyReply {
    /** Starts the cookie of a freshly created session. */
    setSessionCookie(token: string): FastifyReply;
    clearSessionCookie(): FastifyReply;
    /** The cookie of a sign-in whose password was right, waiting for its code (5 minutes). */
    setChallengeCookie(token: string): FastifyReply;
    clearChallengeCookie(): FastifyReply;
  }
}

export interface CookieNames {
  session: string;
  csrf: string;
  challenge: string;
}

export /**
 * Cookie names. Behind TLS (COOKIE_SECURE=true) both carry the `__Host-` prefix: a browser
 * then takes them only when Secure, for Path=/ and without Domain, so neither a sibling
 * subdomain nor a plain-HTTP page can plant or overwrite them (cookie tossing).
 */
function cookieNames(secure: boolean): { session: string; csrf: string; challenge: string } {
  const prefix = secure ? "__Host-" : "";
  return {
    session: `${prefix}nd_session`,
    csrf: `${prefix}nd_csrf`,
    challenge: `${prefix}nd_sign_in`,
  };
}

/** The reply's cookie helpers; `secure` says whether this request's cookies are Secure. */
export function decorateSignInCookies(
  app: FastifyInstance,
  names: CookieNames,
  secure: (request: FastifyRequest) => boolean,
): void {
  app.decorateReply("setSessionCookie", function (this: FastifyReply, token: string) {
    return this.setCookie(names.session, token, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: secure(this.request),
      maxAge: SESSION_ABSOLUTE_MS / 1000,
    });
  });
  app.decorateReply("clearSessionCookie", function (this: FastifyReply) {
    return this.clearCookie(names.session, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: secure(this.request),
    });
  });
  app.decorateReply("setChallengeCookie", function (this: FastifyReply, token: string) {
    return this.setCookie(names.challenge, token, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: secure(this.request),
      maxAge: CHALLENGE_SECONDS,
    });
  });
  app.decorateReply("clearChallengeCookie", function (this: FastifyReply) {
    return this.clearCookie(names.challenge, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: secure(this.request),
    });
  });
}
