import type { FastifyInstance } from "fastify";
import { setTwoFactorRule } from "../../services/people/two-factor-rules.js";
import { formSchema, formValues, ID, type IdParams, toId } from "../../web/forms.js";

const FIELDS = ["required"] as const;
const CHANGED = { "hierarchy-changed": null };

/**
 * Where two-factor sign-in is required, set by a portal admin from the Businesses screen: for
 * the whole portal, or per business.
 */
export async function twoFactorRuleRoutes(app: FastifyInstance): Promise<void> {
  app.post("/businesses/two-factor", { schema: formSchema(FIELDS) }, async (request, reply) => {
    const answer = formValues(request.body, FIELDS).required;
    const { place, required } = await setTwoFactorRule(app.db, request.user, null, answer);
    return reply.done({
      to: "/businesses",
      message: required
        ? `Two-factor sign-in is now required for ${place}: users without it set it up at their next sign-in.`
        : `Two-factor sign-in is no longer required for ${place} (businesses that require it still do).`,
      events: CHANGED,
      json: { place: "portal", business_id: null, required },
    });
  });

  app.post<{ Params: IdParams }>(
    `/businesses/:id${ID}/two-factor`,
    { schema: formSchema(FIELDS) },
    async (request, reply) => {
      const businessId = toId(request.params.id);
      const answer = formValues(request.body, FIELDS).required;
      const { place, required } = await setTwoFactorRule(app.db, request.user, businessId, answer);
      return reply.done({
        to: "/businesses",
        message: required
          ? `Two-factor sign-in is now required for the users of ${place}.`
          : `Two-factor sign-in is no longer required for the users of ${place}.`,
        events: CHANGED,
        json: { place: "business", business_id: businessId, required },
      });
    },
  );
}
