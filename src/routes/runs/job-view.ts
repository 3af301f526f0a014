/**
 * A run's result as the portal shows it (views/manage/_job-result.eta): in the page's dialog
 * for htmx (the run's own answer, Undo and Move here in place, paging), the job page without
 * JavaScript. One place builds its data, so every answer shows the same.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Job } from "../../db/tables/jobs.js";
import { LEVEL_SEGMENTS, type LevelKind } from "../../domain/levels.js";
import { canEditNumbers } from "../../domain/permissions.js";
import { loadJobResult, RESULT_PAGE_SIZE } from "../../services/runs/jobs.js";
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
