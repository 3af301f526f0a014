import type { FastifyInstance, FastifyReply } from "fastify";
import type { Job } from "../db/tables/jobs.js";
import { jobJson } from "./job-json.js";

/**
 * The answer to an Add or Delete run for a script: 201 with the job's result (first page of
 * outcomes) and its address, where a browser is sent there with a 303.
 */
export async function replyWithJob(
  app: FastifyInstance,
  reply: FastifyReply,
  job: Job,
): Promise<FastifyReply> {
  return reply
    .code(201)
    .header("Location", `/jobs/${job.id}`)
    .send(await jobJson(app.db, reply.request.user, job));
}
