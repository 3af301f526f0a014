import { randomUUID } from "node:crypto";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ForbiddenError, ValidationError } from "../domain/errors.js";
import {
  LEVEL_SEGMENTS,
  type Level,
  type LevelKind,
  levelPath,
  levelTrail,
} from "../domain/levels.js";
import { canEditNumbers } from "../domain/permissions.js";
import { listActiveCallPurposes } from "../queries/call-purposes.js";
import { findProgram } from "../queries/programs.js";
import {
  entriesFromText,
  jobOf,
  MAX_ENTRIES,
  planRun,
  runAddition,
  runDeletion,
} from "../services/bulk-runs.js";
import { CONFIRM_BY_JSON } from "../services/job-json.js";
import { resolveLevel } from "../services/levels.js";
import { runFormJson } from "../services/page-json.js";
import { PROGRESS_ID, RunProgressBoard } from "../services/run-progress.js";
import { type RunPhase, RunWorkers } from "../services/run-workers.js";
import { UPLOAD_MAX_SIZE_LABEL, UPLOAD_MESSAGES, UploadError } from "../services/uploads.js";
import { ID, type IdParams, toId } from "./forms.js";
import { replyWithJob } from "./json-replies.js";

/** `numbers` may be repeated (one per field) or one text with newlines, commas or semicolons. */
const RUN_SCHEMA = {
  body: {
    type: ["object", "null"],
    properties: {
      numbers: { type: "array", items: { type: "string" } },
      call_purpose: { type: "string", maxLength: 20 },
      confirm: { type: "string", maxLength: 10 },
      progress: { type: "string", maxLength: 64 },
    },
  },
};

interface RunBody {
  numbers?: string[];
  call_purpose?: string;
  confirm?: string;
  /** The Upload tab's progress id: the page asks /runs/{progress}/progress meanwhile. */
  progress?: string;
  /** The Upload tab's file: on a multipart post @fastify/multipart puts it here as a Buffer. */
  file?: unknown;
}

/** Which tab of the Add and Delete pages: the Manual one unless `?tab=upload`. */
interface TabQuery {
  tab?: string;
}

type RunKind = "delete" | "add";

/** Multipart limits hit while the file was still arriving (413), in the upload form's words. */
const UPLOAD_LIMIT_MESSAGES: Readonly<Record<string, string>> = {
  FST_REQ_FILE_TOO_LARGE: UPLOAD_MESSAGES.tooLarge,
  FST_FILES_LIMIT: UPLOAD_MESSAGES.oneFile,
};

/**
 * Uploads cost seconds of CPU each: at most 10 a minute per user (hardening.md). Typed or
 * pasted runs are not limited here.
 */
const UPLOAD_RATE = {
  rateLimit: {
    max: 10,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => `upload:${request.viewer?.id ?? request.ip}`,
    // By the header: the limit runs at onRequest, before multipart parsing marks the request.
    allowList: (request: FastifyRequest) =>
      !String(request.headers["content-type"] ?? "").startsWith("multipart/form-data"),
  },
};

export async function manageRoutes(
  app: FastifyInstance,
  options: { defaultRegion: string | null },
): Promise<void> {
  /** The level, visible (else 404) and open to this user's changes (else 403). */
  async function editableLevel(
    request: FastifyRequest<{ Params: IdParams }>,
    kind: LevelKind,
  ): Promise<Level> {
    const level = await resolveLevel(app.db, request.user, kind, toId(request.params.id));
    if (!canEditNumbers(request.user))
      throw new ForbiddenError("Your role can view numbers but not change them.");
    return level;
  }
  const context = (
    request: FastifyRequest,
    level: Level,
    source: "manual" | "upload" = "manual",
  ) => ({
    db: app.db,
    database: app.database,
    cache: app.readCache,
    user: request.user,
    level,
    defaultRegion: options.defaultRegion,
    source,
    workers: uploads,
  });
  const textOf = (body: RunBody | null | undefined) => (body?.numbers ?? []).join("\n");

  // --- Upload tab (product.md §4): the same URLs take a multipart post with a `file`. ---

  // Files are read and run in worker threads (services/run-workers.ts), which end with the app.
  const uploads = new RunWorkers();
  app.addHook("onClose", () => uploads.close());
  const progressBoard = new RunProgressBoard();

  /** How far the signed-in user's upload is, for the Upload tab's progress bar. */
  app.get<{ Params: { progressId: string } }>(
    "/runs/:progressId/progress",
    async (request, reply) => {
      reply.header("Cache-Control", "no-store");
      const { progressId } = request.params;
      const status = PROGRESS_ID.test(progressId)
        ? progressBoard.read(request.user.id, progressId)
        : null;
      return reply.send(status ?? { phase: "unknown", done: 0, total: 0 });
    },
  );

  /** The Upload tab: a page, or for htmx its form alone (swapped in place, errors and all). */
  async function uploadPage(
    reply: FastifyReply,
    level: Level,
    kind: RunKind,
    { errors = {}, purpose = "" }: { errors?: Record<string, string>; purpose?: string } = {},
  ) {
    uploads.warm();
    return reply.pageOrFragment("manage/upload", "manage/_upload-form", {
      title: `${kind === "delete" ? "Delete" : "Add"} phone numbers · ${levelTrail(level)}`,
      level,
      nav: kind === "delete" ? "delete-numbers" : "add-numbers",
      kind,
      action: `${levelPath(level)}/numbers/${kind}`,
      place: levelTrail(level),
      errors,
      purpose,
      purposes: kind === "add" ? await listActiveCallPurposes(app.db) : [],
      maxEntries: MAX_ENTRIES.toLocaleString("en-US"),
      maxSize: UPLOAD_MAX_SIZE_LABEL,
      progressId: randomUUID(),
    });
  }

  /** Runs an uploaded file; problems come back on the form, with nothing changed. */
  async function runUpload(
    request: FastifyRequest<{ Params: IdParams; Body: RunBody | null }>,
    reply: FastifyReply,
    level: Level,
    kind: RunKind,
  ) {
    const purpose = request.body?.call_purpose ?? "";
    const refuse = (status: number, errors: Record<string, string>) => {
      reply.code(status);
      return uploadPage(reply, level, kind, { errors, purpose });
    };
    // A file cannot travel to a confirmation page and back: the form's checkbox is the "Ok".
    if (kind === "delete" && request.body?.confirm !== "yes") {
      return refuse(422, { confirm: UPLOAD_MESSAGES.confirm });
    }
    try {
      const file = request.body?.file;
      if (!Buffer.isBuffer(file) || file.length === 0) {
        throw new UploadError(422, UPLOAD_MESSAGES.noFile);
      }
      const plan = await planRun(context(request, level, "upload"), kind, purpose);
      const progressId = request.body?.progress ?? "";
      const report = PROGRESS_ID.test(progressId)
        ? (phase: RunPhase, done: number, total: number) =>
            progressBoard.report(request.user.id, progressId, { phase, done, total })
        : undefined;
      const read = {
        defaultRegion: options.defaultRegion,
        maxEntries: MAX_ENTRIES,
        lookUpAsWritten: kind === "delete",
      };
      const summary = await uploads.run(app.database, { bytes: file, read }, plan, report);
      const job = await jobOf(app.db, summary);
      if (request.wantsJson) return replyWithJob(app, reply, job);
      // htmx would follow a redirect inside its request: it is told to navigate instead.
      if (request.isFragment)
        return reply.header("HX-Redirect", `/jobs/${job.id}`).code(204).send();
      return reply.redirect(`/jobs/${job.id}`, 303);
    } catch (error) {
      if (error instanceof UploadError) return refuse(error.statusCode, { file: error.message });
      if (!(error instanceof ValidationError)) throw error;
      // Run-wide problems ("numbers") are the file's; a missing call purpose is the select's.
      const { numbers, ...others } = error.errors;
      return refuse(422, numbers ? { ...others, file: numbers } : others);
    }
  }

  /**
   * A file over the limit is refused by @fastify/multipart before the handler runs (413):
   * answered with the upload form saying so. Every other error goes to the portal's handler.
   */
  function uploadLimitHandler(levelKind: LevelKind, kind: RunKind) {
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

  async function deletePage(reply: FastifyReply, level: Level, text: string, error: string | null) {
    return reply.page("manage/delete", {
      title: `Delete phone numbers · ${levelTrail(level)}`,
      level,
      nav: "delete-numbers",
      action: `${levelPath(level)}/numbers/delete`,
      place: levelTrail(level),
      text,
      error,
      maxEntries: MAX_ENTRIES.toLocaleString("en-US"),
      // The Manual tab's Delete List; without it the textarea form works on its own.
      scripts: ["/static/js/delete-list.js"],
    });
  }

  for (const kind of ["business", "unit"] as const) {
    const url = `/${LEVEL_SEGMENTS[kind]}/:id${ID}/numbers/delete`;
    app.get<{ Params: IdParams; Querystring: TabQuery }>(url, async (request, reply) => {
      const level = await editableLevel(request, kind);
      if (request.wantsJson) return runFormJson(level, "delete", [], "");
      if (request.query.tab === "upload") return uploadPage(reply, level, "delete");
      return deletePage(reply, level, "", null);
    });
    app.post<{ Params: IdParams; Body: RunBody | null }>(
      url,
      { schema: RUN_SCHEMA, errorHandler: uploadLimitHandler(kind, "delete"), config: UPLOAD_RATE },
      async (request, reply) => {
        const level = await editableLevel(request, kind);
        if (request.isMultipart()) return runUpload(request, reply, level, "delete");
        const text = textOf(request.body);
        const entries = entriesFromText(text);
        // "Cancel" on the confirmation goes back to the form with the list still in it.
        if (request.body?.confirm === "edit") return deletePage(reply, level, text, null);
        if (request.body?.confirm !== "yes") {
          if (request.wantsJson) throw new ValidationError({ confirm: CONFIRM_BY_JSON });
          // Deleting asks first: the page names how many numbers and where, then Ok runs it.
          if (entries.length === 0) {
            reply.code(422);
            return deletePage(reply, level, text, "Enter at least one phone number.");
          }
          return reply.page("manage/confirm-delete", {
            title: "Delete these numbers?",
            level,
            nav: "delete-numbers",
            action: `${levelPath(level)}/numbers/delete`,
            count: entries.length.toLocaleString("en-US"),
            preview: entries.slice(0, 20).map((e) => e.number),
            more: Math.max(0, entries.length - 20).toLocaleString("en-US"),
            text,
            place: levelTrail(level),
          });
        }
        try {
          const job = await runDeletion(context(request, level), entries);
          if (request.wantsJson) return replyWithJob(app, reply, job);
          return reply.redirect(`/jobs/${job.id}`, 303);
        } catch (error) {
          // Scripts get the field messages as JSON (422) from the error handler.
          if (!(error instanceof ValidationError) || request.wantsJson) throw error;
          reply.code(422);
          return deletePage(reply, level, text, Object.values(error.errors).join(" "));
        }
      },
    );
  }

  /** In a program, new numbers take the program's default purpose unless told otherwise. */
  async function defaultPurpose(level: Level): Promise<string> {
    const program = level.program ? await findProgram(app.db, level.program.id) : undefined;
    return program ? String(program.default_call_purpose_id) : "";
  }

  async function addPage(
    reply: FastifyReply,
    level: Level,
    text: string,
    purpose: string,
    error: string | null,
  ) {
    return reply.page("manage/add", {
      title: `Add phone numbers · ${levelTrail(level)}`,
      level,
      nav: "add-numbers",
      action: `${levelPath(level)}/numbers/add`,
      text,
      purpose,
      purposes: await listActiveCallPurposes(app.db),
      error,
      maxEntries: MAX_ENTRIES.toLocaleString("en-US"),
    });
  }

  for (const kind of ["business", "unit", "program"] as const) {
    const url = `/${LEVEL_SEGMENTS[kind]}/:id${ID}/numbers/add`;
    app.get<{ Params: IdParams; Querystring: TabQuery }>(url, async (request, reply) => {
      const level = await editableLevel(request, kind);
      const purpose = await defaultPurpose(level);
      if (request.wantsJson) {
        return runFormJson(level, "add", await listActiveCallPurposes(app.db), purpose);
      }
      if (request.query.tab === "upload") {
        return uploadPage(reply, level, "add", { purpose });
      }
      return addPage(reply, level, "", purpose, null);
    });
    app.post<{ Params: IdParams; Body: RunBody | null }>(
      url,
      { schema: RUN_SCHEMA, errorHandler: uploadLimitHandler(kind, "add"), config: UPLOAD_RATE },
      async (request, reply) => {
        const level = await editableLevel(request, kind);
        if (request.isMultipart()) return runUpload(request, reply, level, "add");
        const text = textOf(request.body);
        const purpose = request.body?.call_purpose ?? "";
        try {
          const job = await runAddition(context(request, level), entriesFromText(text), purpose);
          if (request.wantsJson) return replyWithJob(app, reply, job);
          return reply.redirect(`/jobs/${job.id}`, 303);
        } catch (error) {
          if (!(error instanceof ValidationError) || request.wantsJson) throw error;
          reply.code(422);
          return addPage(reply, level, text, purpose, Object.values(error.errors).join(" "));
        }
      },
    );
  }
}
