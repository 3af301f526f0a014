import type { FastifyInstance } from "fastify";
import { LEVEL_SEGMENTS, levelPath } from "../../domain/levels.js";
import { resolveLevel } from "../../services/hierarchy/levels.js";
import { loadOverview } from "../../services/overview/overview.js";
import { ID, type IdParams, toId } from "../../web/forms.js";
import { overviewJson } from "../../web/overview-json.js";

/** GET /{level}/{id}/overview: the level's charts, as a page or (Accept: JSON) their counts. */
export async function overviewRoutes(app: FastifyInstance): Promise<void> {
  for (const kind of ["business", "unit", "program"] as const) {
    app.get<{ Params: IdParams }>(
      `/${LEVEL_SEGMENTS[kind]}/:id${ID}/overview`,
      async (request, reply) => {
        // The same rule as the dashboard: a level outside the user's scope does not exist.
        const at = await resolveLevel(
          app.db,
          request.user,
          kind,
          toId(request.params.id),
          app.readCache,
        );
        const overview = await loadOverview(app.db, app.readCache, at);
        if (request.wantsJson) return overviewJson(overview);
        return reply.page("overview/page", {
          title: `Overview · ${at.program?.name ?? at.unit?.name ?? at.business.name}`,
          level: at,
          nav: "overview",
          overview,
          numbersHref: `${levelPath(at)}/numbers`,
          // A program has no programs of its own: the link lists its unit's.
          programsHref: `${at.kind === "program" && at.unit ? `/units/${at.unit.id}` : levelPath(at)}/programs`,
        });
      },
    );
  }
}
