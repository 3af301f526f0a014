import type { FastifyInstance } from "fastify";
import { findVisibleJob } from "../../services/runs/jobs.js";
import { moveToJobLevel } from "../../services/runs/move-here.js";
import { ID, type IdParams, toId } from "../../web/forms.js";
import { Field } from "../../web/input-shapes.js";
import { replyWithResult } from "./jobs.js";

const MOVE_SCHEMA = {
  body: {
    type: ["object", "null"],
    properties: {
      // One E.164 per field (a "Move here" button), or "all".
      numbers: { type: "array", items: { type: "string", maxLength: 20 } },
    },
    additionalProperties: Field(),
  },
};

/** "Move here": numbers an add run found elsewhere go to the place the run was made at. */
export async function moveRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Params: IdParams; Body: { numbers?: string[] } | null }>(
    `/jobs/:id${ID}/move`,
    { schema: MOVE_SCHEMA },
    async (request, reply) => {
      const job = await findVisibleJob(app.db, request.user, toId(request.params.id));
      const chosen = request.body?.numbers ?? [];
      const { moved, skipped } = await moveToJobLevel(
        app.db,
        request.user,
        job,
        chosen.includes("all") ? "all" : chosen,
      );
      const message =
        skipped === 0
          ? `Moved ${moved.length} number${moved.length === 1 ? "" : "s"} to ${job.level_name}.`
          : `Moved ${moved.length} to ${job.level_name}; ${skipped} could not be moved.`;
      // With htmx the result answers in place: the moved rows say so, their buttons are gone.
      if (request.isFragment) {
        reply.hxTrigger({ "numbers-changed": null });
        return replyWithResult(app, reply, job, { message });
      }
      return reply.done({
        to: `/jobs/${job.id}`,
        message,
        events: { "numbers-changed": null },
        json: { moved, skipped },
      });
    },
  );
}
