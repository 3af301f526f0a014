import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { LEVEL_SEGMENTS, type LevelKind } from "../../domain/levels.js";
import { findVisibleJob, jobCsv, jobOutcomePage } from "../../services/runs/jobs.js";
import { movableNumbers } from "../../services/runs/move-here.js";
import { ID, type IdParams, toId } from "../../web/forms.js";
import { jobJson } from "../../web/job-json.js";

/** Result lists show this many of each kind; the CSV has them all. */
const SHOWN = 500;

/** `?page=` pages a script's JSON outcomes (services/job-json.ts); the HTML page ignores it. */
type JobRoute = { Params: IdParams; Querystring: { page?: string } };

/** A bulk run's result: its page (with Move here and Undo) and its CSV. */
export async function jobRoutes(app: FastifyInstance): Promise<void> {
  app.get<JobRoute>(`/jobs/:id${ID}`, async (request, reply) => {
    const job = await findVisibleJob(app.db, request.user, toId(request.params.id));
    if (request.wantsJson) return jobJson(app.db, request.user, job, request.query.page);
    const done = job.kind === "add" ? "added" : "removed";
    return reply.page("manage/job", {
      title: `${job.kind === "add" ? "Add" : "Delete"} run #${job.id}`,
      nav: job.kind === "add" ? "add-numbers" : "delete-numbers",
      job,
      doneLabel: job.kind === "add" ? "Added Numbers" : "Removed Numbers",
      succeeded: await jobOutcomePage(app.db, request.user, job, done, SHOWN, 0),
      rejected: await jobOutcomePage(app.db, request.user, job, "rejected", SHOWN, 0),
      // Numbers found elsewhere that this user may see can be moved here (add runs only).
      movable: [...(await movableNumbers(app.db, request.user, job))],
      shown: SHOWN,
      backHref: `/${LEVEL_SEGMENTS[job.level_kind as LevelKind]}/${job.level_id}/numbers`,
    });
  });

  app.get<{ Params: IdParams }>(`/jobs/:id${ID}.csv`, async (request, reply) => {
    const job = await findVisibleJob(app.db, request.user, toId(request.params.id));
    reply
      .type("text/csv; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="job-${job.id}-${job.kind}.csv"`);
    return reply.send(Readable.from(jobCsv(app.db, request.user, job)));
  });
}
