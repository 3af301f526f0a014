import { normalizeIP } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  SIGN_IN_FAILED,
  SignInError,
  type SignInStep,
  signIn,
  signInWithCode,
  signOut,
  waitingSignIn,
} from "../../services/people/sign-in.js";
import { formSchema, formValues, localPath } from "../../web/forms.js";
import { jsonError } from "../../web/plugins/json.js";

const FIELDS = ["email", "password", "next"] as const;
const CODE_FIELDS = ["code"] as const;
const TOO_MANY = "Too many sign-in attempts. Wait a minute and try again.";
const WRONG_CODE =
  "That code is not right, or was used already. Type the code your app shows now, or one of your recovery codes.";
const CODE_TIMED_OUT = "Sign in with your email and password first: the code step lasts 5 minutes.";

/** Sign-in attempts (passwords and codes) allowed per address and per account in a window. */
const SIGN_IN_ATTEMPTS = 10;
const SIGN_IN_WINDOW_MS = 60_000;

/** After sign-in, only our own paths are followed (no open redirect to another site). */
const safeNext = (raw: string | undefined): string => localPath(raw);

/** Nothing a sign-in needs is large: refuse big bodies before parsing or hashing them. */
const SIGN_IN_BODY_LIMIT = 16 * 1024;

/**
 * Sign-in (password, then a code for users with a second factor) and sign-out: the only
 * pages a signed-out visitor can use.
 */
export async function authRoutes(app: FastifyInstance): Promise<void> {
  // The sign-in limiter: every password and every code counts against the same budgets, so
  // a guesser gains nothing by splitting attempts between the two steps.
  // Both are counted where every limit is (app.rateCounter, services/ops/rate-limits.ts): on
  // PostgreSQL in the database, so attempts spread over several instances count as one.
  // Per account, whatever the address: a distributed guess at one password still stops.
  const accountKey = (email: string) => email.trim().toLowerCase();
  const accountAllows = async (email: string) =>
    (await app.rateCounter.hit(`sign-in-account:${accountKey(email)}`, SIGN_IN_WINDOW_MS)).hits <=
    SIGN_IN_ATTEMPTS;
  // Per address, whichever accounts are tried; checked before the body is even read. Named
  // in the key: the plugin's store is shared by every limiter.
  const perAddress = app.createRateLimit({
    max: SIGN_IN_ATTEMPTS,
    timeWindow: SIGN_IN_WINDOW_MS,
    keyGenerator: (request) => `sign-in:${normalizeIP(request.ip)}`,
  });
  async function addressLimit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const limit = await perAddress(request);
    if (limit.isAllowed || !limit.isExceeded) return;
    reply.header("Retry-After", String(limit.ttlInSeconds));
    // The same message as a wrong password would give no hint either way.
    throw Object.assign(new Error(TOO_MANY), { statusCode: 429 });
  }
  /** Signed in (services/people/sign-in.ts started the session): the cookie, then onwards. */
  function signedIn(
    request: FastifyRequest,
    reply: FastifyReply,
    step: SignInStep & { signedIn: true },
  ): FastifyReply {
    reply.setSessionCookie(step.sessionToken);
    // A CSRF secret known before sign-in (a planted cookie, a shared computer) dies here.
    reply.rotateCsrfSecret();
    const to = step.next;
    if (request.wantsJson) {
      return reply.send({ ok: true, message: "Signed in.", second_factor: false, next: to });
    }
    if (request.isFragment) return reply.header("HX-Redirect", to).send("");
    return reply.redirect(to, 303);
  }

  app.get<{ Querystring: { next?: string } }>("/login", async (request, reply) => {
    const next = safeNext(request.query.next);
    if (request.viewer) return reply.redirect(next, 303);
    return reply.page("auth/login", {
      title: "Sign in",
      next,
      values: { email: "" },
      signInError: null,
    });
  });

  app.post(
    "/login",
    { schema: formSchema(FIELDS), bodyLimit: SIGN_IN_BODY_LIMIT, onRequest: addressLimit },
    async (request, reply) => {
      const values = formValues(request.body, FIELDS);
      const next = safeNext(values.next);
      const again = (status: number, error: string) => {
        reply.code(status);
        return reply.page("auth/login", {
          title: "Sign in",
          next,
          values: { email: values.email },
          signInError: error,
        });
      };
      if (!(await accountAllows(values.email))) {
        reply.header("Retry-After", "60");
        return again(429, TOO_MANY);
      }
      try {
        const step = await signIn(app.db, values, app.passwordHashing, {
          ip: request.ip,
          next,
          previousSession: request.sessionId ?? null,
        });
        if (step.signedIn) return signedIn(request, reply, step);
        reply.setChallengeCookie(step.challengeToken);
        if (request.wantsJson) {
          return reply.send({
            ok: true,
            message: "Password accepted. Now send a code from your authenticator app.",
            second_factor: true,
            next: "/login/code",
          });
        }
        return reply.redirect("/login/code", 303);
      } catch (error) {
        if (error instanceof SignInError) return again(401, SIGN_IN_FAILED);
        throw error;
      }
    },
  );

  /** No sign-in is waiting for a code (none began, it expired, or it was used): start over. */
  function startOver(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    reply.clearChallengeCookie();
    if (request.wantsJson) return reply.code(401).send(jsonError(401, CODE_TIMED_OUT));
    if (request.isFragment)
      return reply.code(401).header("HX-Redirect", "/login").send(CODE_TIMED_OUT);
    reply.flash({ kind: "info", message: CODE_TIMED_OUT });
    return reply.redirect("/login", 303);
  }

  const waiting = (request: FastifyRequest) =>
    request.challengeToken ? waitingSignIn(app.db, request.challengeToken) : null;

  app.get("/login/code", async (request, reply) => {
    if (request.viewer) return reply.redirect("/", 303);
    const challenge = await waiting(request);
    if (!challenge) return startOver(request, reply);
    if (request.wantsJson) {
      return reply.send({ action: "/login/code", field: "code", expires_at: challenge.expiresAt });
    }
    return reply.page("auth/code", { title: "Two-factor sign-in", codeError: null });
  });

  app.post(
    "/login/code",
    { schema: formSchema(CODE_FIELDS), bodyLimit: SIGN_IN_BODY_LIMIT, onRequest: addressLimit },
    async (request, reply) => {
      const { code } = formValues(request.body, CODE_FIELDS);
      const token = request.challengeToken;
      const challenge = await waiting(request);
      if (!token || !challenge) return startOver(request, reply);
      const again = (status: number, error: string) => {
        reply.code(status);
        return reply.page("auth/code", {
          title: "Two-factor sign-in",
          codeError: error,
          refusal: error,
        });
      };
      if (!(await accountAllows(challenge.user.email))) {
        reply.header("Retry-After", "60");
        return again(429, TOO_MANY);
      }
      const step = await signInWithCode(app.db, token, challenge, code, {
        ip: request.ip,
        previousSession: request.sessionId ?? null,
      });
      if (!step?.signedIn) return again(401, WRONG_CODE);
      reply.clearChallengeCookie();
      return signedIn(request, reply, step);
    },
  );

  app.post("/logout", async (request, reply) => {
    if (request.viewer && request.sessionId) {
      await signOut(app.db, request.viewer, request.sessionId);
    }
    reply.clearSessionCookie();
    reply.rotateCsrfSecret();
    reply.flash({ kind: "info", message: "You are signed out." });
    return reply.redirect("/login", 303);
  });
}
