import type { FastifyInstance, FastifyReply } from "fastify";
import type { Job } from "../../db/tables/jobs.js";
import { replyWithJob } from "../../web/job-replies.js";
import { replyWithResult } from "./job-view.js";

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
