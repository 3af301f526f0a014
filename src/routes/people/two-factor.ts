import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ValidationError } from "../../domain/errors.js";
import {
  confirmEnrolment,
  startEnrolment,
  type TwoFactorStatus,
  turnOffTwoFactor,
  twoFactorStatus,
} from "../../services/people/two-factor-enrolment.js";
import { formSchema, formValues, localPath } from "../../web/forms.js";

const ENROL_FIELDS = ["code", "next"] as const;
const OFF_FIELDS = ["code"] as const;
const TITLE = "Two-factor sign-in";

/** The status as scripts read it (no secret: that only goes to a signed-in enrolment). */
const statusJson = (status: TwoFactorStatus) => ({
  enabled: status.enabled,
  required: status.required,
  since: status.since,
  recovery_codes_left: status.recoveryCodesLeft,
});

/**
 * The user's own second factor, under Account: enrol an authenticator app (QR code and
 * secret, confirmed by a first code, then the recovery codes once), or turn it off.
 */
export async function twoFactorRoutes(app: FastifyInstance): Promise<void> {
  /** The page (or its #two-factor fragment) as it stands, with the form's messages if any. */
  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    next: string,
    errors: Record<string, string> = {},
  ): Promise<FastifyReply> {
    const status = await twoFactorStatus(app.db, request.user);
    // Scripts see the status; the secret is for a person enrolling in a signed-in browser.
    if (request.wantsJson && (status.enabled || request.apiToken) && reply.statusCode < 400) {
      return reply.send(statusJson(status));
    }
    const enrolment = status.enabled ? null : await startEnrolment(app.db, request.user);
    if (request.wantsJson && enrolment && reply.statusCode < 400) {
      return reply.send({
        ...statusJson(status),
        secret: enrolment.secret,
        otpauth_uri: enrolment.uri,
        action: "/account/two-factor",
      });
    }
    return reply.pageOrFragment("account/two-factor", "account/_two-factor", {
      title: TITLE,
      status,
      enrolment,
      codes: null,
      next,
      mustEnrol: request.mustEnrolTwoFactor,
      errors,
    });
  }

  app.get<{ Querystring: { next?: string } }>("/account/two-factor", async (request, reply) =>
    render(request, reply, localPath(request.query.next)),
  );

  app.post("/account/two-factor", { schema: formSchema(ENROL_FIELDS) }, async (request, reply) => {
    const values = formValues(request.body, ENROL_FIELDS);
    const next = localPath(values.next);
    try {
      const codes = await confirmEnrolment(app.db, request.user, values.code);
      // Not a 303: the recovery codes are shown exactly once and never put in a URL or flash.
      const message = "Two-factor sign-in is on. Keep your recovery codes somewhere safe.";
      if (request.wantsJson) return reply.send({ ok: true, message, recovery_codes: codes });
      // htmx posted from the confirmation form; the codes replace the whole part.
      if (request.isFragment) reply.header("HX-Retarget", "#two-factor");
      return reply.pageOrFragment("account/two-factor", "account/_two-factor", {
        title: TITLE,
        status: await twoFactorStatus(app.db, request.user),
        enrolment: null,
        codes,
        next,
        mustEnrol: false,
        errors: {},
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      reply.code(422);
      // htmx swaps the form alone: the QR code and the key above it stay as they are.
      if (request.isFragment) {
        return reply.fragment("account/_two-factor-confirm", {
          next,
          mustEnrol: request.mustEnrolTwoFactor,
          errors: error.errors,
        });
      }
      return render(request, reply, next, error.errors);
    }
  });

  app.post(
    "/account/two-factor/off",
    { schema: formSchema(OFF_FIELDS) },
    async (request, reply) => {
      const { code } = formValues(request.body, OFF_FIELDS);
      try {
        await turnOffTwoFactor(app.db, request.user, code);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        reply.code(422);
        return render(request, reply, "/", error.errors);
      }
      return reply.done({
        to: "/account",
        message: "Two-factor sign-in is off. Sign-in asks for your password only.",
      });
    },
  );
}
