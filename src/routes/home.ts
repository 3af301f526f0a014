import type { FastifyInstance } from "fastify";
import { resolveLevel } from "../services/levels.js";
import { ID, type IdParams, toId } from "./forms.js";

export async function homeRoutes(app: FastifyInstance): Promise<void> {
  /** Home is the user's own level: all businesses for a portal admin, else their scope. */
  app.get("/", async (request, reply) => {
    const { scope } = request.user;
    if (request.mustChangePassword) return reply.redirect("/account/password", 303);
    if (scope.kind === "portal") return reply.redirect("/businesses", 303);
    if (scope.kind === "unit") return reply.redirect(`/units/${scope.unitId}`, 303);
    return reply.redirect(`/businesses/${scope.businessId}`, 303);
  });

  // A level's own address opens its main screen (the numbers dashboard arrives with issue 4).
  app.get<{ Params: IdParams }>(`/businesses/:id${ID}`, async (request, reply) => {
    const level = await resolveLevel(app.db, request.user, "business", toId(request.params.id));
    return reply.redirect(`/businesses/${level.id}/units`, 303);
  });
  app.get<{ Params: IdParams }>(`/units/:id${ID}`, async (request, reply) => {
    const level = await resolveLevel(app.db, request.user, "unit", toId(request.params.id));
    return reply.redirect(`/units/${level.id}/programs`, 303);
  });
}
