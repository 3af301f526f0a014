import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ForbiddenError, ValidationError } from "../../domain/errors.js";
import {
  LEVEL_SEGMENTS,
  type Level,
  type LevelKind,
  levelPath,
  levelTrail,
} from "../../domain/levels.js";
import { canEditNumbers } from "../../domain/permissions.js";
import { purposeChoices } from "../../services/hierarchy/call-purposes.js";
import { resolveLevel } from "../../services/hierarchy/levels.js";
import { defaultPurposeAt } from "../../services/hierarchy/programs.js";
import {
  entriesFromText,
  MAX_ENTRIES,
  type RunContext,
  runAddition,
  runDeletion,
} from "../../services/runs/bulk-runs.js";
import { RunWorkers } from "../../services/runs/threads/run-workers.js";
import { ID, type IdParams, toId } from "../../web/forms.js";
import { CONFIRM_BY_JSON } from "../../web/job-json.js";
import { replyWithJob } from "../../web/job-replies.js";
import { runFormJson } from "../../web/page-json.js";
import type { RunBody } from "./run-form.js";
import { UPLOAD_RATE, uploadTab } from "./upload-tab.js";

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

/** Which tab of the Add and Delete pages: the Manual one unless `?tab=upload`. */
interface TabQuery {
  tab?: string;
}

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
  // Uploads and long typed lists are read and run in worker threads, which end with the app.
  const workers = new RunWorkers();
  app.addHook("onClose", () => workers.close());
  const context = (
    request: FastifyRequest,
    level: Level,
    source: "manual" | "upload" = "manual",
  ): RunContext => ({
    db: app.db,
    database: app.database,
    cache: app.readCache,
    user: request.user,
    level,
    defaultRegion: options.defaultRegion,
    source,
    workers,
  });
  const textOf = (body: RunBody | null | undefined) => (body?.numbers ?? []).join("\n");

  // The Upload tab (routes/upload-tab.ts): the same URLs take a multipart post with a `file`.
  const { uploadPage, runUpload, uploadLimitHandler, followUpload } = uploadTab(app, {
    workers,
    editableLevel,
    context,
  });

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
      {
        schema: RUN_SCHEMA,
        errorHandler: uploadLimitHandler(kind, "delete"),
        config: UPLOAD_RATE,
        ...followUpload("delete"),
      },
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
    const id = await defaultPurposeAt(app.db, level);
    return id === null ? "" : String(id);
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
      purposes: await purposeChoices(app.db),
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
        return runFormJson(level, "add", await purposeChoices(app.db), purpose);
      }
      if (request.query.tab === "upload") {
        return uploadPage(reply, level, "add", { purpose });
      }
      return addPage(reply, level, "", purpose, null);
    });
    app.post<{ Params: IdParams; Body: RunBody | null }>(
      url,
      {
        schema: RUN_SCHEMA,
        errorHandler: uploadLimitHandler(kind, "add"),
        config: UPLOAD_RATE,
        ...followUpload("add"),
      },
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
