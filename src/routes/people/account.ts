import type { FastifyInstance } from "fastify";
import { ROLE_LABELS } from "../../domain/permissions.js";
import { countSessionsOfUser } from "../../queries/sessions.js";
import { changeOwnPassword, endOtherSessions } from "../../services/people/account.js";
import { createApiToken, listApiTokens, revokeApiToken } from "../../services/people/api-tokens.js";
import { findUserView } from "../../services/people/user-views.js";
import {
  formSchema,
  formValues,
  ID,
  type IdParams,
  renderFormError,
  toId,
} from "../../web/forms.js";

const PASSWORD_FIELDS = ["current_password", "new_password", "confirm_password"] as const;

/** The signed-in user's own page: who they are, their password, sessions and API tokens. */
export async function accountRoutes(app: FastifyInstance): Promise<void> {
  app.get("/account", async (request, reply) => {
    const me = await findUserView(app.db, request.user, request.user.id);
    return reply.page("account/page", {
      title: "Your account",
      me,
      roleLabel: ROLE_LABELS[me.role],
      otherSessions: (await countSessionsOfUser(app.db, me.id)) - 1,
      tokens: await listApiTokens(app.db, request.user),
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

  await app.register(accountTokenRoutes);

  app.post("/account/sessions/end-others", async (request, reply) => {
    const ended = await endOtherSessions(app.db, request.user, request.sessionId ?? "");
    return reply.done({
      to: "/account",
      message: ended === 1 ? "Signed out 1 other session." : `Signed out ${ended} other sessions.`,
    });
  });
}

/** API tokens: made and revoked here by their owner; the token is shown once, on a 201. */
export async function accountTokenRoutes(app: FastifyInstance): Promise<void> {
  const tokenForm = (name: string) => ({
    title: "New API token",
    action: "/account/tokens",
    submitLabel: "Create token",
    cancelHref: "/account",
    values: { name },
    errors: {},
  });

  app.get("/account/tokens/new", async (_request, reply) =>
    reply.dialog("account/_token-form", tokenForm("")),
  );

  app.post("/account/tokens", { schema: formSchema(["name"]) }, async (request, reply) => {
    const { name } = formValues(request.body, ["name"]);
    try {
      const { token, secret } = await createApiToken(app.db, request.user, request.user, name);
      // Not a 303: the token is shown exactly once and never put in a URL, cookie or flash.
      reply.code(201);
      if (request.wantsJson) {
        return reply.send({
          ok: true,
          message: `Created the API token “${token.name}”.`,
          token: { id: token.id, name: token.name, hint: token.hint, created_at: token.created_at },
          secret,
        });
      }
      return reply.dialog("account/_token-issued", {
        title: "API token created",
        name: token.name,
        hint: token.hint,
        secret,
      });
    } catch (error) {
      return renderFormError(reply, error, "account/_token-form", tokenForm(name));
    }
  });

  app.post<{ Params: IdParams }>(`/account/tokens/:id${ID}/revoke`, async (request, reply) => {
    const token = await revokeApiToken(app.db, request.user, request.user, toId(request.params.id));
    return reply.done({
      to: "/account",
      message: `Revoked the API token “${token.name}”. Scripts using it are refused from now on.`,
    });
  });
}
