import type { FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { CurrentUser } from "../../domain/permissions.js";
import type { ScryptParams } from "../../services/people/passwords.js";
import { resumeSession } from "../../services/people/sessions.js";
import { mustEnrol } from "../../services/people/two-factor.js";
import { ensureFirstAdmin, toCurrentUser } from "../../services/people/users.js";
import { authenticateApiTokens } from "./api-token-auth.js";
import { setUpCsrf } from "./csrf.js";
import { decorateRequireUser } from "./require-user.js";
import { cookieNames, decorateSignInCookies } from "./sign-in-cookies.js";

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
  interface FastifyInstance {
    /** Password hashing cost (lowered only by tests). */
    passwordHashing: ScryptParams;
  }
}

export interface AuthOptions {
  adminEmail: string;
  adminPassword: string | null;
  passwordHashing: ScryptParams;
  /** Mark cookies Secure even when the request itself looks like plain HTTP (behind a proxy). */
  cookieSecure: boolean;
  announce: (text: string) => void;
}

/**
 * Sign-in state on every request, in this order: the first portal admin, CSRF (csrf.ts), the
 * sign-in cookies (sign-in-cookies.ts), an API token (api-token-auth.ts) or else the session
 * cookie (sessions stored in the database, revocable: here), then the `requireUser` guard
 * (require-user.ts) and no-store for every page.
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

    await setUpCsrf(app, names, secure);

    app.decorateRequest("viewer", null);
    app.decorateRequest("user", null as unknown as CurrentUser);
    app.decorateRequest("sessionId", null);
    app.decorateRequest("mustChangePassword", false);
    app.decorateRequest("mustEnrolTwoFactor", false);
    app.decorateRequest("challengeToken", null);
    app.decorateRequest("apiToken", null);

    decorateSignInCookies(app, names, secure);
    authenticateApiTokens(app);

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

    decorateRequireUser(app);

    // Signed-in pages are private: no browser or proxy may keep a copy (back button after
    // sign-out). Set as the request starts, as the security headers are: it stays on every
    // answer, errors included, without a hook on the way out.
    app.addHook("onRequest", (request, reply, done) => {
      if (!request.url.startsWith("/static/")) reply.header("Cache-Control", "no-store");
      done();
    });
  },
  { name: "auth", dependencies: ["db", "htmx", "json", "@fastify/cookie"] },
);
