import type { FastifyInstance } from "fastify";
import { createApiToken, revokeApiToken } from "../../services/people/api-tokens.js";
import {
  formSchema,
  formValues,
  ID,
  type IdParams,
  renderFormError,
  toId,
} from "../../web/forms.js";

/** API tokens: made and revoked here by their owner; the token is shown once, on a 201. */
export async function apiTokenRoutes(app: FastifyInstance): Promise<void> {
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
