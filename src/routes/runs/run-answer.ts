import type { FastifyInstance, FastifyReply } from "fastify";
import type { Job } from "../../db/tables/jobs.js";
import { replyWithJob } from "../../web/job-replies.js";

/**
 * The answer to a run that went through: the job as JSON for a script (201), the result
 * page for a plain form (303 to /jobs/{id}); htmx is told to go there (it would otherwise
 * follow the redirect inside its own request).
 */
export async function answerRun(
  app: FastifyInstance,
  reply: FastifyReply,
  job: Job,
): Promise<FastifyReply> {
  const { request } = reply;
  if (request.wantsJson) return replyWithJob(app, reply, job);
  if (request.isFragment) return reply.header("HX-Redirect", `/jobs/${job.id}`).code(204).send();
  return reply.redirect(`/jobs/${job.id}`, 303);
}
