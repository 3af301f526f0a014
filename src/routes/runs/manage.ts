/**
 * Add and Delete Phone Numbers (product.md §4): the URLs, and the runs their posts start. The
 * Manual tab posts its list (built by the server: services/runs/entry-list.ts, re-rendered at
 * …/list; a delete is confirmed first); the Upload tab posts a file to the same URL, as
 * multipart (`runUpload`). Each tab's page and what it posts are manual-tab.ts's and
 * upload-tab.ts's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ValidationError } from "../../domain/errors.js";
import { LEVEL_SEGMENTS, type Level, type LevelKind } from "../../domain/levels.js";
import { purposeChoices } from "../../services/hierarchy/call-purposes.js";
import { defaultPurposeAt } from "../../services/hierarchy/programs.js";
import {
  editableRunLevel,
  jobOf,
  MAX_ENTRIES,
  planRun,
  type RunContext,
  runAddition,
  runDeletion,
} from "../../services/runs/bulk-runs.js";
import {
  buildEntryList,
  type EntryList,
  type FormEntry,
  formEntries,
  runEntries,
} from "../../services/runs/entry-list.js";
import { RunWorkers } from "../../services/runs/threads/run-workers.js";
import { UPLOAD_MESSAGES, UploadError } from "../../services/runs/upload-file.js";
import { ID, type IdParams, toId } from "../../web/forms.js";
import { CONFIRM_BY_JSON } from "../../web/job-json.js";
import { runFormJson } from "../../web/page-json.js";
import { answerRun } from "./jobs.js";
import {
  listFormOf,
  type ManualTab,
  manualTab,
  RUN_SCHEMA,
  type RunBody,
  type RunKind,
} from "./manual-tab.js";

import { UPLOAD_RATE, type UploadBody, uploadTab } from "./upload-tab.js";

/** Which tab of the Add and Delete pages: the Manual one unless `?tab=upload`. */
interface TabQuery {
  tab?: string;
}

type RunRequest = FastifyRequest<{ Params: IdParams; Body: RunBody | null }>;

export async function manageRoutes(
  app: FastifyInstance,
  options: { defaultRegion: string | null },
): Promise<void> {
  const editableLevel = (request: FastifyRequest<{ Params: IdParams }>, kind: LevelKind) =>
    editableRunLevel(app.db, request.user, kind, toId(request.params.id));
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
  const listOf = (entries: FormEntry[]): EntryList =>
    buildEntryList(entries, options.defaultRegion);

  // The Upload tab (upload-tab.ts): the same URLs take a multipart post with a `file`.
  const { uploadPage, progressOf, uploadLimitHandler, followUpload } = uploadTab(app, {
    workers,
    editableLevel,
  });
  const tab: ManualTab = manualTab(app);

  /** In a program, new numbers take the program's default purpose unless told otherwise. */
  async function defaultPurpose(level: Level): Promise<string> {
    const id = await defaultPurposeAt(app.db, level);
    return id === null ? "" : String(id);
  }

  /** A run's input the page cannot take: the Manual tab again, with the list and the reason. */
  function refuse(
    request: RunRequest,
    reply: FastifyReply,
    kind: RunKind,
    level: Level,
    error: ValidationError,
  ) {
    const form = listFormOf(request.body);
    reply.code(422);
    return tab.answer(reply, kind, level, {
      list: listOf(formEntries(form)),
      purpose: form.purpose,
      error: error.errors.numbers ?? null,
      purposeError: error.errors.call_purpose ?? null,
      // An htmx post of Delete… or Add aimed at the dialog: the list shows the reason instead.
      retarget: true,
    });
  }

  /** Runs an uploaded file; problems come back on the Upload tab's form, with nothing changed. */
  async function runUpload(
    request: FastifyRequest<{ Params: IdParams; Body: UploadBody | null }>,
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
      const read = { maxEntries: MAX_ENTRIES };
      const summary = await workers.run(
        app.database,
        { bytes: file, read },
        plan,
        progressOf(request),
      );
      return answerRun(app, reply, await jobOf(app.db, summary));
    } catch (error) {
      if (error instanceof UploadError) return refuse(error.statusCode, { file: error.message });
      if (!(error instanceof ValidationError)) throw error;
      // Run-wide problems ("numbers") are the file's; a missing call purpose is the select's.
      const { numbers, ...others } = error.errors;
      return refuse(422, numbers ? { ...others, file: numbers } : others);
    }
  }

  for (const kind of ["delete", "add"] as const) {
    const levels = kind === "delete" ? (["business", "unit"] as const) : LEVEL_KINDS;
    for (const levelKind of levels) {
      const url = `/${LEVEL_SEGMENTS[levelKind]}/:id${ID}/numbers/${kind}`;

      app.get<{ Params: IdParams; Querystring: TabQuery }>(url, async (request, reply) => {
        const level = await editableLevel(request, levelKind);
        const purpose = kind === "add" ? await defaultPurpose(level) : "";
        if (request.wantsJson) {
          return kind === "add"
            ? runFormJson(level, "add", await purposeChoices(app.db), purpose)
            : runFormJson(level, "delete", [], "");
        }
        if (request.query.tab === "upload") return uploadPage(reply, level, kind, { purpose });
        return tab.answer(reply, kind, level, { list: listOf([]), purpose, focusField: true });
      });

      // Add to list, ✕ and Check: the list again, with every entry's verdict. Changes nothing.
      app.post<{ Params: IdParams; Body: RunBody | null }>(
        `${url}/list`,
        { schema: RUN_SCHEMA },
        async (request, reply) => {
          const level = await editableLevel(request, levelKind);
          const form = listFormOf(request.body);
          const list = listOf(formEntries(form));
          const before = formEntries({ ...form, typed: "", remove: null }).length;
          return tab.answer(reply, kind, level, {
            list,
            purpose: form.purpose,
            focusField: true,
            status: tab.statusOf(list, before, form),
          });
        },
      );

      app.post<{ Params: IdParams; Body: RunBody | null }>(
        url,
        {
          schema: RUN_SCHEMA,
          errorHandler: uploadLimitHandler(levelKind, kind),
          config: UPLOAD_RATE,
          ...followUpload(kind),
        },
        async (request, reply) => {
          const level = await editableLevel(request, levelKind);
          if (request.isMultipart()) return runUpload(request, reply, level, kind);
          const form = listFormOf(request.body);
          const entries = formEntries(form);
          if (kind === "delete" && request.body?.confirm !== "yes") {
            return askFirst(request, reply, level, entries);
          }
          try {
            const job =
              kind === "delete"
                ? await runDeletion(context(request, level), runEntries(entries))
                : await runAddition(context(request, level), runEntries(entries), form.purpose);
            return answerRun(
              app,
              reply,
              job,
              await tab.emptied(kind, level, form.purpose, listOf([])),
            );
          } catch (error) {
            // Scripts get the field messages as JSON (422) from the error handler.
            if (!(error instanceof ValidationError) || request.wantsJson) throw error;
            return refuse(request, reply, kind, level, error);
          }
        },
      );
    }
  }

  /**
   * Deleting asks first (the page, or the dialog with JavaScript, names how many numbers and
   * how many entries it would skip); a script confirms in the same post, with confirm=yes.
   */
  async function askFirst(
    request: RunRequest,
    reply: FastifyReply,
    level: Level,
    entries: FormEntry[],
  ): Promise<FastifyReply> {
    if (request.wantsJson) throw new ValidationError({ confirm: CONFIRM_BY_JSON });
    const list = listOf(entries);
    // "Cancel" on the confirmation page goes back to the form with the list still in it.
    if (request.body?.confirm === "edit") {
      return tab.answer(reply, "delete", level, { list, purpose: "" });
    }
    if (entries.length === 0 || list.valid === 0) {
      const numbers =
        entries.length === 0
          ? "Enter at least one phone number."
          : "No entry in the list is a valid phone number: there is nothing to delete.";
      return refuse(request, reply, "delete", level, new ValidationError({ numbers }));
    }
    return tab.confirmDelete(reply, level, list);
  }
}

const LEVEL_KINDS = ["business", "unit", "program"] as const;
