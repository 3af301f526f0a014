/**
 * The Upload tab of Add and Delete (product.md §4): its page, the limits of an upload (size,
 * files, rate: a file over them is refused with the form saying why), and the run's progress
 * at /runs/{id}/progress: JSON, or for htmx the fragment that polls itself under the form's
 * bar while the post is open (web/upload-progress.ts). The same URLs as the Manual tab take
 * the upload, as a multipart post with a `file`: manage.ts registers them and runs the file
 * (`runUpload`), in a worker thread (services/runs/threads/run-workers.ts).
 */
import { randomUUID } from "node:crypto";
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RouteShorthandOptions,
} from "fastify";
import type { JobKind } from "../../db/tables/jobs.js";
import { type Level, type LevelKind, levelPath, levelTrail } from "../../domain/levels.js";
import { purposeChoices } from "../../services/hierarchy/call-purposes.js";
import { MAX_ENTRIES } from "../../services/runs/bulk-runs.js";
import { PROGRESS_ID, RunProgressBoard } from "../../services/runs/run-progress.js";
import type { UploadProgress } from "../../services/runs/threads/run-messages.js";
import type { RunWorkers } from "../../services/runs/threads/run-workers.js";
import { UPLOAD_MAX_SIZE_LABEL, UPLOAD_MESSAGES } from "../../services/runs/upload-file.js";
import type { IdParams } from "../../web/forms.js";
import { STOP_POLLING, UPLOAD_METER_START, uploadProgressView } from "../../web/upload-progress.js";

/** What an upload posts (the Manual tab's RunBody adds its list's fields to these). */
export interface UploadBody {
  call_purpose?: string;
  confirm?: string;
  /** The page asks /runs/{progress}/progress meanwhile. */
  progress?: string;
  /** On a multipart post @fastify/multipart puts the file here as a Buffer. */
  file?: unknown;
}

/** Multipart limits hit while the file was still arriving (413), in the upload form's words. */
const UPLOAD_LIMIT_MESSAGES: Readonly<Record<string, string>> = {
  FST_REQ_FILE_TOO_LARGE: UPLOAD_MESSAGES.tooLarge,
  FST_FILES_LIMIT: UPLOAD_MESSAGES.oneFile,
};

/**
 * Uploads cost seconds of CPU each: at most 10 a minute per user (hardening.md). Typed or
 * pasted runs are not limited here.
 */
export const UPLOAD_RATE = {
  rateLimit: {
    max: 10,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => `upload:${request.viewer?.id ?? request.ip}`,
    // By the header: the limit runs at onRequest, before multipart parsing marks the request.
    allowList: (request: FastifyRequest) =>
      !String(request.headers["content-type"] ?? "").startsWith("multipart/form-data"),
  },
};

/** An upload posted by htmx names its progress id here, so the page knows when to stop asking. */
const FOLLOWED_BY = "x-upload-progress";

const isMultipart = (request: FastifyRequest) =>
  String(request.headers["content-type"] ?? "").startsWith("multipart/form-data");

export interface UploadTabOptions {
  workers: RunWorkers;
  /** The level, visible (else 404) and open to this user's changes (else 403). */
  editableLevel(request: FastifyRequest<{ Params: IdParams }>, kind: LevelKind): Promise<Level>;
}

export function uploadTab(app: FastifyInstance, { workers, editableLevel }: UploadTabOptions) {
  const progressBoard = new RunProgressBoard();

  /**
   * How far the signed-in user's upload is: JSON, or for htmx the fragment under the form's
   * bar, asking again while the post is open and stopped with 286 once it was answered.
   */
  app.get<{ Params: { progressId: string } }>(
    "/runs/:progressId/progress",
    async (request, reply) => {
      reply.header("Cache-Control", "no-store");
      const { progressId } = request.params;
      const known = PROGRESS_ID.test(progressId);
      if (request.isFragment) {
        if (!known) return reply.code(STOP_POLLING).send("");
        const view = uploadProgressView(progressBoard.follow(request.user.id, progressId));
        reply.code(view.again ? 200 : STOP_POLLING);
        return reply.fragment("manage/_upload-progress", { progressId, view });
      }
      const status = known ? progressBoard.read(request.user.id, progressId) : null;
      return reply.send(status ?? { phase: "unknown", done: 0, total: 0 });
    },
  );

  /** The id of an upload htmx posts (and the page follows), when it is one. */
  function followedId(request: FastifyRequest): string | null {
    const id = request.headers[FOLLOWED_BY];
    return request.viewer && isMultipart(request) && typeof id === "string" && PROGRESS_ID.test(id)
      ? id
      : null;
  }

  /**
   * The upload routes' hooks: from the first byte of the post to its answer (a result, or
   * refused anywhere: rate limit, CSRF, a bad file), the page's poller knows it is open.
   */
  function followUpload(kind: JobKind): Pick<RouteShorthandOptions, "onRequest" | "onResponse"> {
    return {
      onRequest: async (request) => {
        const id = followedId(request);
        if (id && request.viewer) progressBoard.begin(request.viewer.id, id, kind);
      },
      onResponse: async (request) => {
        const id = followedId(request);
        if (id && request.viewer) progressBoard.end(request.viewer.id, id);
      },
    };
  }

  /** The Upload tab: a page, or for htmx its form alone (swapped in place, errors and all). */
  async function uploadPage(
    reply: FastifyReply,
    level: Level,
    kind: JobKind,
    { errors = {}, purpose = "" }: { errors?: Record<string, string>; purpose?: string } = {},
  ) {
    workers.warm();
    return reply.pageOrFragment("manage/upload", "manage/_upload-form", {
      title: `${kind === "delete" ? "Delete" : "Add"} phone numbers · ${levelTrail(level)}`,
      level,
      nav: kind === "delete" ? "delete-numbers" : "add-numbers",
      kind,
      action: `${levelPath(level)}/numbers/${kind}`,
      place: levelTrail(level),
      errors,
      purpose,
      purposes: kind === "add" ? await purposeChoices(app.db) : [],
      maxEntries: MAX_ENTRIES.toLocaleString("en-US"),
      maxSize: UPLOAD_MAX_SIZE_LABEL,
      progressId: randomUUID(),
      meterStart: UPLOAD_METER_START,
    });
  }

  /** Where the run of an upload reports how far it is: the board the page follows, if any. */
  function progressOf(
    request: FastifyRequest<{ Body: UploadBody | null }>,
  ): UploadProgress | undefined {
    const progressId = request.body?.progress ?? "";
    return PROGRESS_ID.test(progressId)
      ? (phase, done, total) =>
          progressBoard.report(request.user.id, progressId, { phase, done, total })
      : undefined;
  }

  /**
   * A file over the limit is refused by @fastify/multipart before the handler runs (413):
   * answered with the upload form saying so. Every other error goes to the portal's handler.
   */
  function uploadLimitHandler(levelKind: LevelKind, kind: JobKind) {
    return async function (
      this: FastifyInstance,
      error: FastifyError,
      request: FastifyRequest<{ Params: IdParams }>,
      reply: FastifyReply,
    ) {
      const message = UPLOAD_LIMIT_MESSAGES[error.code];
      if (!message) return app.errorHandler.call(this, error, request, reply);
      let level: Level;
      try {
        level = await editableLevel(request, levelKind);
      } catch (refused) {
        return app.errorHandler.call(this, refused as FastifyError, request, reply);
      }
      request.log.info({ status: 413, reason: error.message }, "upload refused");
      reply.code(413);
      return uploadPage(reply, level, kind, { errors: { file: message } });
    };
  }

  return { uploadPage, progressOf, uploadLimitHandler, followUpload };
}
