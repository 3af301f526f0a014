import type { FastifyInstance } from "fastify";
import { LEVEL_SEGMENTS, levelPath } from "../../domain/levels.js";
import { resolveLevel } from "../../services/hierarchy/levels.js";
import { loadRuns, RUN_KIND_CHOICES } from "../../services/runs/run-list.js";
import { ID, type IdParams, toId } from "../../web/forms.js";
import { runsJson } from "../../web/page-json.js";

type RunsRoute = { Params: IdParams; Querystring: { kind?: string; page?: string } };

/** Runs: the bulk runs at and below a level, each leading to its result (product.md §5). */
export async function runListRoutes(app: FastifyInstance): Promise<void> {
  for (const kind of ["business", "unit", "program"] as const) {
    app.get<RunsRoute>(`/${LEVEL_SEGMENTS[kind]}/:id${ID}/runs`, async (request, reply) => {
      const level = await resolveLevel(app.db, request.user, kind, toId(request.params.id));
      const list = await loadRuns(app.db, level, request.query);
      if (request.wantsJson) return runsJson(level, list);
      const here = `${levelPath(level)}/runs`;
      const pageHref = (page: number) =>
        `${here}?${new URLSearchParams({ ...(list.kind ? { kind: list.kind } : {}), page: String(page) })}`;
      return reply.page("manage/runs", {
        title: "Runs",
        level,
        nav: "runs",
        list,
        kinds: RUN_KIND_CHOICES,
        action: here,
        prevHref: list.page > 1 ? pageHref(list.page - 1) : null,
        nextHref: list.page < list.pageCount ? pageHref(list.page + 1) : null,
      });
    });
  }
}
