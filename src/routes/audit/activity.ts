import { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { LEVEL_SEGMENTS, type Level, type LevelKind, levelPath } from "../../domain/levels.js";
import {
  ACTION_CHOICES,
  type ActivityParams,
  activityCsv,
  loadActivity,
} from "../../services/audit/activity.js";
import { resolveLevel } from "../../services/hierarchy/levels.js";
import { ID, type IdParams, toId } from "../../web/forms.js";
import { activityJson } from "../../web/page-json.js";

/** The Activity log of a level: the page, its JSON and its CSV. */
export async function activityRoutes(app: FastifyInstance): Promise<void> {
  const level = (request: FastifyRequest<{ Params: IdParams }>, kind: LevelKind): Promise<Level> =>
    resolveLevel(app.db, request.user, kind, toId(request.params.id));

  for (const kind of ["business", "unit", "program"] as const) {
    const base = `/${LEVEL_SEGMENTS[kind]}/:id${ID}`;

    app.get<{ Params: IdParams; Querystring: ActivityParams }>(
      `${base}/activity`,
      async (request, reply) => {
        const at = await level(request, kind);
        const activity = await loadActivity(app.db, at, `${levelPath(at)}/activity`, request.query);
        if (request.wantsJson) return activityJson(at, activity);
        return reply.page("history/activity", {
          title: "Activity",
          level: at,
          nav: "activity",
          activity,
          actionChoices: ACTION_CHOICES,
          baseHref: `${levelPath(at)}/activity`,
        });
      },
    );

    app.get<{ Params: IdParams; Querystring: ActivityParams }>(
      `${base}/activity.csv`,
      async (request, reply) => {
        const at = await level(request, kind);
        reply
          .type("text/csv; charset=utf-8")
          .header(
            "Content-Disposition",
            `attachment; filename="activity-${LEVEL_SEGMENTS[kind]}-${at.id}.csv"`,
          );
        return reply.send(Readable.from(activityCsv(app.db, at, request.query)));
      },
    );
  }
}
