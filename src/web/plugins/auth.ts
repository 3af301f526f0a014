import csrf from "@fastify/csrf-protection";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { CurrentUser } from "../../domain/permissions.js";
import { safeRedirect } from "../../domain/safe-redirect.js";
import { serverSecret as loadServerSecret } from "../../services/ops/server-secrets.js";
import { authenticateToken, bearerTokenOf } from "../../services/people/api-tokens.js";
import type { ScryptParams } from "../../services/people/passwords.js";
import { resumeSession, SESSION_ABSOLUTE_MS } from "../../services/people/sessions.js";
import { CHALLENGE_SECONDS, mustEnrol } from "../../services/people/two-factor.js";
import { ensureFirstAdmin, toCurrentUser } from "../../services/people/users.js";
import { jsonError } from "./json.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is signed in on this request, or null. Routes behind `requireUser` use `user`. */
    viewer: CurrentUser | null;
    /** Set on every route behind `requireUser`: the signed-in user, with role and scope. */
    user: CurrentUser;
    /** The session's id (SHA-256 of the cookie token), or null when signed out. */
    sessionId: string | null;
    /** The user must choose a new password before doing anything else. */
    mustChangePassword: boolean;
    /** A rule requires a second factor and this session's user has none yet: enrol first. */
    mustEnrolTwoFactor: boolean;
    /** The token of a sign-in waiting for its second factor (the challenge cookie), or null. */
    challengeToken: string | null;
    /** The API token this request was authenticated with (Authorization: Bearer), or null. */
    apiToken: { id: number; name: string } | null;
  }
  interface FastifyReply {
    /** Starts the cookie of a freshly created session. */
    setSessionCookie(token: string): FastifyReply;
    clearSessionCookie(): FastifyReply;
    /** The cookie of a sign-in whose password was right, waiting for its code (5 minutes). */
    setChallengeCookie(token: string): FastifyReply;
    clearChallengeCookie(): FastifyReply;
    /** A CSRF token bound to this browser and its session, for forms and htmx headers. */
    csrfToken(): string;
    /** A new CSRF secret for this browser (at sign-in and sign-out): old tokens stop working. */
    rotateCsrfSecret(): FastifyReply;
  }
  interface FastifyInstance {
    /** Password hashing cost (lowered only by tests). */
    passwordHashing: ScryptParams;
    /** onRequest guard for everything but sign-in, health and static files. */
    requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

/**
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

/** Where a session that must enrol a second factor is held until it has. */
const ENROL_PATH = "/account/two-factor";

/** Requests a minute per API token (scripts; browsers are not limited this way). */
export const TOKEN_RATE_PER_MINUTE = 600;

export interface AuthOptions {
  adminEmail: string;
  adminPassword: string | null;
  passwordHashing: ScryptParams;
  /** Mark cookies Secure even when the request itself looks like plain HTTP (behind a proxy). */
  cookieSecure: boolean;
  announce: (text: string) => void;
}

function serverSecret(app: FastifyInstance, name: string): Promise<string> {
  return loadServerSecret(app.db, name);
}

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

/**
 * Sign-in state on every request (sessions stored in the database, revocable), CSRF tokens
 * bound to the session, and the `requireUser` guard. CSRF is checked in preHandler because a
 * form body is not parsed yet at onRequest.
 */
export const authPlugin = fp<AuthOptions>(
  async (app, options) => {
    app.decorate("passwordHashing", options.passwordHashing);
    const first = await ensureFirstAdmin(app.db, {
      email: options.adminEmail,
      password: options.adminPassword,
      hashing: options.passwordHashing,
    });
    if (first) {
      // Printed once, on the console of the person starting the portal, never logged as data.
      // A password given in ADMIN_PASSWORD is never echoed: its owner already knows it.
      const password = first.generatedPassword
        ? `  password: ${first.generatedPassword}\nSign in at /login and change it under Account.\n`
        : "  password: the one given in ADMIN_PASSWORD\nSign in at /login.\n";
      options.announce(
        `\nNumberdesk: created the first portal admin.\n  email:    ${first.user.email}\n${password}\n`,
      );
    }

    const secure = (request: FastifyRequest) =>
      options.cookieSecure || request.protocol === "https";
    const names = cookieNames(options.cookieSecure);

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
      csrfOpts: { hmacKey: await serverSecret(app, "csrf_hmac_key") },
    });

    app.decorateRequest("viewer", null);
    app.decorateRequest("user", null as unknown as CurrentUser);
    app.decorateRequest("sessionId", null);
    app.decorateRequest("mustChangePassword", false);
    app.decorateRequest("mustEnrolTwoFactor", false);
    app.decorateRequest("challengeToken", null);
    app.decorateRequest("apiToken", null);

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

    // Every signed-in request looks up its session and the two-factor rule: kept in the read
    // cache on SQLite, whose data version moves with any commit. On PostgreSQL the version
    // follows only the number and hierarchy tables, and a sign-out made on another instance
    // must count at once: asked each time there.
    const lookupCache = app.database.kind === "sqlite" ? app.readCache : undefined;
    app.addHook("onRequest", async (request, reply) => {
      if (request.headers.authorization !== undefined) return;
      request.challengeToken = request.cookies[names.challenge] || null;
      const token = request.cookies[names.session];
      if (!token) return;
      const resumed = await resumeSession(app.db, token, new Date(), lookupCache);
      if (!resumed) {
        reply.clearSessionCookie();
        return;
      }
      request.viewer = toCurrentUser(resumed.user);
      request.sessionId = resumed.id;
      request.mustChangePassword = resumed.user.must_change_password === 1;
      // Sessions only: a script's API token is not a sign-in and is not held up by the rule.
      request.mustEnrolTwoFactor = await mustEnrol(app.db, request.viewer, lookupCache);
    });

    // Every state change is a POST, and every POST proves it came from our own form, or
    // carries a valid API token: a browser never sends one on its own, so no site can forge it.
    app.addHook("preHandler", (request, reply, done) => {
      if (request.method !== "POST" || request.apiToken !== null) return done();
      app.csrfProtection(request, reply, done);
    });

    // Signed-in pages are private: no browser or proxy may keep a copy (back button after sign-out).
    app.addHook("onSend", async (request, reply) => {
      if (!request.url.startsWith("/static/")) reply.header("Cache-Control", "no-store");
    });

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
  },
  { name: "auth", dependencies: ["db", "htmx", "json", "@fastify/cookie"] },
);
