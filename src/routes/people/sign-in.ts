import type { FastifyInstance } from "fastify";
import { AttemptLimiter } from "../../domain/attempt-limiter.js";
import { auditPlaceOf, recordAudit } from "../../services/audit/audit.js";
import { endSession, startSession } from "../../services/people/sessions.js";
import { authenticate, SIGN_IN_FAILED, SignInError } from "../../services/people/sign-in.js";
import { formSchema, formValues, localPath } from "../../web/forms.js";

const FIELDS = ["email", "password", "next"] as const;
const TOO_MANY = "Too many sign-in attempts. Wait a minute and try again.";

/** After sign-in, only our own paths are followed (no open redirect to another site). */
const safeNext = (raw: string | undefined): string => localPath(raw);

/** Sign-in and sign-out: the only pages a signed-out visitor can use. */
export async function authRoutes(app: FastifyInstance): Promise<void> {
  // Per account, whatever the address: a distributed guess at one password still stops.
  const perAccount = new AttemptLimiter(10, 60_000);

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
    {
      schema: formSchema(FIELDS),
      // Nothing a sign-in needs is large: refuse big bodies before parsing or hashing them.
      bodyLimit: 16 * 1024,
      // Per address; the same message as a wrong password would give no hint either way.
      config: { rateLimit: { max: 10, timeWindow: 60_000 } },
    },
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
      if (!perAccount.hit(values.email.trim().toLowerCase())) return again(429, TOO_MANY);
      try {
        const user = await authenticate(app.db, values, app.passwordHashing, { ip: request.ip });
        // A brand-new session id at every sign-in; any session this browser had is ended.
        if (request.sessionId) await endSession(app.db, request.sessionId);
        const session = await startSession(app.db, user.id);
        reply.setSessionCookie(session.token);
        // A CSRF secret known before sign-in (a planted cookie, a shared computer) dies here.
        reply.rotateCsrfSecret();
        return reply.redirect(user.must_change_password === 1 ? "/account/password" : next, 303);
      } catch (error) {
        if (error instanceof SignInError) return again(401, SIGN_IN_FAILED);
        throw error;
      }
    },
  );

  app.post("/logout", async (request, reply) => {
    if (request.viewer && request.sessionId) {
      await endSession(app.db, request.sessionId);
      await recordAudit(
        app.db,
        request.viewer,
        {
          action: "auth.sign_out",
          subjectType: "user",
          subjectId: request.viewer.id,
          place: auditPlaceOf(request.viewer.scope),
          summary: "Signed out",
        },
        new Date().toISOString(),
      );
    }
    reply.clearSessionCookie();
    reply.rotateCsrfSecret();
    reply.flash({ kind: "info", message: "You are signed out." });
    return reply.redirect("/login", 303);
  });
}
