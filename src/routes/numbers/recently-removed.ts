import type { FastifyInstance, FastifyRequest } from "fastify";
import { ConflictError, ValidationError } from "../../domain/errors.js";
import { LEVEL_SEGMENTS, type Level, type LevelKind, levelPath } from "../../domain/levels.js";
import { canEditNumbers } from "../../domain/permissions.js";
import { resolveLevel } from "../../services/hierarchy/levels.js";
import {
  listRecentlyRemoved,
  RESTORE_DAYS,
  restoreRemoval,
  restoreRemovals,
} from "../../services/numbers/recently-removed.js";
import { formSchema, formValues, ID, type IdParams, localPath, toId } from "../../web/forms.js";
import { Field } from "../../web/input-shapes.js";
import { removedJson } from "../../web/page-json.js";

/** Recently Removed of a level, and Restore of one or several of its numbers. */
export async function recentlyRemovedRoutes(app: FastifyInstance): Promise<void> {
  const level = (request: FastifyRequest<{ Params: IdParams }>, kind: LevelKind): Promise<Level> =>
    resolveLevel(app.db, request.user, kind, toId(request.params.id));

  for (const kind of ["business", "unit", "program"] as const) {
    const base = `/${LEVEL_SEGMENTS[kind]}/:id${ID}`;

    app.get<{ Params: IdParams; Querystring: { page?: string } }>(
      `${base}/numbers/removed`,
      async (request, reply) => {
        const at = await level(request, kind);
        const removed = await listRecentlyRemoved(
          app.db,
          at,
          Number.parseInt(request.query.page ?? "1", 10) || 1,
        );
        if (request.wantsJson) return removedJson(at, removed);
        return reply.page("history/removed", {
          title: "Recently removed",
          level: at,
          nav: "removed",
          removed,
          days: RESTORE_DAYS,
          selfHref: `${levelPath(at)}/numbers/removed`,
          canEdit: canEditNumbers(request.user),
        });
      },
    );
  }

  app.post<{ Params: IdParams }>(
    `/removed/:id${ID}/restore`,
    { schema: formSchema(["return_to"]) },
    async (request, reply) => {
      const back = localPath(formValues(request.body, ["return_to"]).return_to, "/");
      try {
        const national = await restoreRemoval(app.db, request.user, toId(request.params.id));
        return reply.done({
          to: back,
          message: `Restored ${national} where it was.`,
          events: { "numbers-changed": null },
        });
      } catch (error) {
        // htmx and scripts get the refusal itself (409).
        if (!(error instanceof ConflictError) || request.isFragment || request.wantsJson) {
          throw error;
        }
        // Without JavaScript the refusal comes back as a message on the list it came from.
        reply.flash({ kind: "error", message: error.message });
        return reply.redirect(back, 303);
      }
    },
  );

  app.post<{ Body: { ids?: string[]; return_to?: string } | null }>(
    "/removed/restore",
    {
      schema: {
        body: {
          type: ["object", "null"],
          properties: {
            ids: {
              type: "array",
              items: { type: "string", pattern: "^\\d{1,15}$" },
              maxItems: 1000,
            },
            return_to: { type: "string", maxLength: 2000 },
          },
          additionalProperties: Field(),
        },
      },
    },
    async (request, reply) => {
      const back = localPath(request.body?.return_to, "/");
      const ids = (request.body?.ids ?? []).map(Number);
      if (ids.length === 0) {
        if (request.wantsJson)
          throw new ValidationError({ ids: "Select the numbers to restore first." });
        reply.flash({ kind: "error", message: "Select the numbers to restore first." });
        return reply.redirect(back, 303);
      }
      const { restored, refused } = await restoreRemovals(app.db, request.user, ids);
      const message =
        refused.length === 0
          ? `Restored ${restored.length} number${restored.length === 1 ? "" : "s"} where they were.`
          : `Restored ${restored.length}; ${refused.length} could not come back: ${refused.slice(0, 3).join(" ")}`;
      return reply.done({ to: back, message, events: { "numbers-changed": null } });
    },
  );
}
