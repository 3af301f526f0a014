import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { findVisibleJob, jobCsv } from "../../services/runs/jobs.js";
import { ID, type IdParams, toId } from "../../web/forms.js";
import { jobJson } from "../../web/job-json.js";
import { replyWithResult } from "./job-view.js";

/** `?page=` pages the result: 200 of each kind on the page, 10,000 in JSON (web/job-json.ts). */
type JobRoute = { Params: IdParams; Querystring: { page?: string } };

/** A bulk run's result (its page, or the dialog's content for htmx) and its CSV. */
export async function jobRoutes(app: FastifyInstance): Promise<void> {
  app.get<JobRoute>(`/jobs/:id${ID}`, async (request, reply) => {
    const job = await findVisibleJob(app.db, request.user, toId(request.params.id));
    if (request.wantsJson) return jobJson(app.db, request.user, job, request.query.page);
    return replyWithResult(app, reply, job, { page: request.query.page });
  });

  app.get<{ Params: IdParams }>(`/jobs/:id${ID}.csv`, async (request, reply) => {
    const job = await findVisibleJob(app.db, request.user, toId(request.params.id));
    reply
      .type("text/csv; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="job-${job.id}-${job.kind}.csv"`);
    return reply.send(Readable.from(jobCsv(app.db, request.user, job)));
  });
}
