import type { FastifyInstance } from "fastify";
import { ROLE_LABELS } from "../../domain/permissions.js";
import {
  changeOwnPassword,
  countOtherSessions,
  endOtherSessions,
} from "../../services/people/account.js";
import { listApiTokens } from "../../services/people/api-tokens.js";
import { twoFactorStatus } from "../../services/people/two-factor-enrolment.js";
import { findUserView } from "../../services/people/user-views.js";
import { formSchema, formValues, renderFormError } from "../../web/forms.js";

const PASSWORD_FIELDS = ["current_password", "new_password", "confirm_password"] as const;

/**
 * The signed-in user's own page: who they are, their password, two-factor sign-in (its own
 * routes: two-factor.ts), sessions and API tokens.
 */
export async function accountRoutes(app: FastifyInstance): Promise<void> {
  app.get("/account", async (request, reply) => {
    const me = await findUserView(app.db, request.user, request.user.id);
    return reply.page("account/page", {
      title: "Your account",
      me,
      roleLabel: ROLE_LABELS[me.role],
      otherSessions: await countOtherSessions(app.db, me.id),
      tokens: await listApiTokens(app.db, request.user),
      twoFactor: await twoFactorStatus(app.db, request.user),
    });
  });

  const passwordForm = (mustChange: boolean) => ({
    title: mustChange ? "Choose your password" : "Change your password",
    mustChange,
    action: "/account/password",
    submitLabel: "Change password",
    cancelHref: "/account",
    values: {},
    errors: {},
  });

  app.get("/account/password", async (request, reply) => {
    return reply.dialog("account/_password-form", passwordForm(request.mustChangePassword));
  });

  app.post("/account/password", { schema: formSchema(PASSWORD_FIELDS) }, async (request, reply) => {
    const values = formValues(request.body, PASSWORD_FIELDS);
    // A first sign-in (the one-time password replaced) goes on to the user's own numbers:
    // that is what they came for, not the account page.
    const firstSignIn = request.mustChangePassword;
    try {
      await changeOwnPassword(
        app.db,
        request.user,
        request.sessionId ?? "",
        values,
        app.passwordHashing,
      );
      return reply.done({
        to: firstSignIn ? "/" : "/account",
        message: firstSignIn
          ? "Your password is set. These are your phone numbers."
          : "Your password is changed. Other sessions were signed out.",
      });
    } catch (error) {
      // Passwords are never echoed back into the form.
      return renderFormError(
        reply,
        error,
        "account/_password-form",
        passwordForm(request.mustChangePassword),
      );
    }
  });

  app.post("/account/sessions/end-others", async (request, reply) => {
    const ended = await endOtherSessions(app.db, request.user, request.sessionId ?? "");
    return reply.done({
      to: "/account",
      message: ended === 1 ? "Signed out 1 other session." : `Signed out ${ended} other sessions.`,
    });
  });
}
