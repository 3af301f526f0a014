import type { FastifyInstance } from "fastify";

export async function homeRoutes(app: FastifyInstance): Promise<void> {
  /** Home is the user's own level: all businesses for a portal admin, else their scope. */
  app.get("/", async (request, reply) => {
    const { scope } = request.user;
    if (request.mustChangePassword) return reply.redirect("/account/password", 303);
    if (scope.kind === "portal") return reply.redirect("/businesses", 303);
    if (scope.kind === "unit") return reply.redirect(`/units/${scope.unitId}`, 303);
    return reply.redirect(`/businesses/${scope.businessId}`, 303);
  });
}
