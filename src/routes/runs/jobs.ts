/**
 * A run's result, one module for all its answers: the job page without JavaScript and the
 * page's dialog for htmx (views/manage/_job-result.eta: the run's own answer, Undo and Move
 * here in place, paging), the answer to a run that went through, GET /jobs/:id and its CSV.
 * One place builds its data, so every answer shows the same.
 */
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Job } from "../../db/tables/jobs.js";
import { LEVEL_SEGMENTS, type LevelKind } from "../../domain/levels.js";
import { canEditNumbers } from "../../domain/permissions.js";
import {
  findVisibleJob,
  jobCsv,
  loadJobResult,
  RESULT_PAGE_SIZE,
} from "../../services/runs/jobs.js";
import { ID, type IdParams, toId } from "../../web/forms.js";
import { jobJson } from "../../web/job-json.js";
import { replyWithJob } from "../../web/job-replies.js";
import type { NavKey } from "../../web/navigation.js";

export interface ResultOptions {
  page?: string;
  /** Said at the top of the result after Undo or Move here. */
  message?: string;
  /** Said at the top of the result, as an error, when Undo or Move here was refused. */
  refusal?: string;
  /** Extra data for the fragment, e.g. the Manual tab's emptied list, swapped out of band. */
  resetList?: Record<string, unknown>;
}

/** Where Ok leads without JavaScript: the tab the run started from, if the reader may use it. */
function backHrefOf(job: Job, editor: boolean): string {
  const place = `/${LEVEL_SEGMENTS[job.level_kind as LevelKind]}/${job.level_id}`;
  if (!editor) return `${place}/numbers`;
  return `${place}/numbers/${job.kind}${job.source === "upload" ? "?tab=upload" : ""}`;
}

export async function replyWithResult(
  app: FastifyInstance,
  reply: FastifyReply,
  job: Job,
  options: ResultOptions = {},
): Promise<FastifyReply> {
  const { user } = reply.request;
  const result = await loadJobResult(app.db, user, job, options.page);
  const adding = job.kind === "add";
  const data = {
    title: `${adding ? "Add" : "Delete"} run #${job.id}`,
    level: result.level,
    nav: (adding ? "add-numbers" : "delete-numbers") as NavKey,
    result,
    doneLabel: adding ? "Added Numbers" : "Removed Numbers",
    backHref: backHrefOf(job, canEditNumbers(user)),
    pageSize: RESULT_PAGE_SIZE,
    message: options.message ?? null,
    refusal: options.refusal ?? null,
    resetList: options.resetList ?? null,
  };
  return reply.dialog("manage/_job-result", data);
}

/**
 * The answer to a run that went through: the job as JSON for a script (201), the result
 * page for a plain form (303 to /jobs/{id}); with htmx the result itself, in the page's dialog
 * over the page the run started from (the Upload tab's form aims at itself: retargeted).
 */
export async function answerRun(
  app: FastifyInstance,
  reply: FastifyReply,
  job: Job,
  resetList?: Record<string, unknown>,
): Promise<FastifyReply> {
  const { request } = reply;
  if (request.wantsJson) return replyWithJob(app, reply, job);
  if (!request.isFragment) return reply.redirect(`/jobs/${job.id}`, 303);
  reply
    .header("HX-Retarget", "#dialog-body")
    .header("HX-Reswap", "innerHTML")
    .hxTrigger({ "numbers-changed": null });
  return replyWithResult(app, reply, job, resetList ? { resetList } : {});
}

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
