import type { FastifyInstance } from "fastify";
import { ConflictError } from "../../domain/errors.js";
import { undoDeletion } from "../../services/numbers/recently-removed.js";
import { findVisibleJob } from "../../services/runs/jobs.js";
import { ID, type IdParams, toId } from "../../web/forms.js";
import { replyWithResult } from "./job-view.js";

/**
 * Undo of a delete run: its numbers come back where they were. With htmx the result answers
 * in place (counts, rows and buttons as they are now); a second Undo is 409 (services): htmx
 * and scripts get the refusal itself, a plain form the job's own page saying why.
 */
export async function undoRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Params: IdParams }>(`/jobs/:id${ID}/undo`, async (request, reply) => {
    const job = await findVisibleJob(app.db, request.user, toId(request.params.id));
    let outcome: Awaited<ReturnType<typeof undoDeletion>>;
    try {
      outcome = await undoDeletion(app.db, request.user, job);
    } catch (error) {
      if (!(error instanceof ConflictError) || request.isFragment || request.wantsJson) throw error;
      // Without JavaScript the refusal is a message on the result it was asked from, which now
      // shows the run as undone and offers no Undo: not a bare error page.
      reply.code(409);
      return replyWithResult(app, reply, job, { refusal: error.message });
    }
    const { restored, refused } = outcome;
    const message =
      refused === 0
        ? `Undone: ${restored} number${restored === 1 ? "" : "s"} restored.`
        : `Restored ${restored}; ${refused} could not come back (restored already, or added again since).`;
    if (request.isFragment) {
      reply.hxTrigger({ "numbers-changed": null });
      return replyWithResult(app, reply, job, { message });
    }
    return reply.done({ to: `/jobs/${job.id}`, message, json: { restored, refused } });
  });
}
