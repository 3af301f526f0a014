import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
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
import { entriesFromText, MAX_ENTRIES, runAddition, runDeletion } from "../services/bulk-runs.js";
import { findVisibleJob, jobCsv, jobOutcomePage } from "../services/jobs.js";
import { resolveLevel } from "../services/levels.js";
import { ID, type IdParams, toId } from "./forms.js";

/** `numbers` may be repeated (one per field) or one text with newlines, commas or semicolons. */
const RUN_SCHEMA = {
  body: {
    type: ["object", "null"],
    properties: {
      numbers: { type: "array", items: { type: "string" } },
      call_purpose: { type: "string", maxLength: 20 },
      confirm: { type: "string", maxLength: 10 },
    },
  },
};

interface RunBody {
  numbers?: string[];
  call_purpose?: string;
  confirm?: string;
}

/** Result lists show this many of each kind; the CSV has them all. */
const SHOWN = 500;

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
  const context = (request: FastifyRequest, level: Level) => ({
    db: app.db,
    cache: app.readCache,
    user: request.user,
    level,
    defaultRegion: options.defaultRegion,
    source: "manual" as const,
  });
  const textOf = (body: RunBody | null | undefined) => (body?.numbers ?? []).join("\n");

  async function deletePage(reply: FastifyReply, level: Level, text: string, error: string | null) {
    return reply.page("manage/delete", {
      title: `Delete phone numbers · ${levelTrail(level)}`,
      level,
      nav: "delete-numbers",
      action: `${levelPath(level)}/numbers/delete`,
      text,
      error,
      maxEntries: MAX_ENTRIES.toLocaleString("en-US"),
    });
  }

  for (const kind of ["business", "unit"] as const) {
    const url = `/${LEVEL_SEGMENTS[kind]}/:id${ID}/numbers/delete`;
    app.get<{ Params: IdParams }>(url, async (request, reply) =>
      deletePage(reply, await editableLevel(request, kind), "", null),
    );
    app.post<{ Params: IdParams; Body: RunBody | null }>(
      url,
      { schema: RUN_SCHEMA },
      async (request, reply) => {
        const level = await editableLevel(request, kind);
        const text = textOf(request.body);
        const entries = entriesFromText(text);
        if (request.body?.confirm !== "yes") {
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
          return reply.redirect(`/jobs/${job.id}`, 303);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          reply.code(422);
          return deletePage(reply, level, text, Object.values(error.errors).join(" "));
        }
      },
    );
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
    app.get<{ Params: IdParams }>(url, async (request, reply) => {
      const level = await editableLevel(request, kind);
      // In a program, new numbers take the program's default purpose unless told otherwise.
      const program = level.program ? await findProgram(app.db, level.program.id) : undefined;
      return addPage(
        reply,
        level,
        "",
        program ? String(program.default_call_purpose_id) : "",
        null,
      );
    });
    app.post<{ Params: IdParams; Body: RunBody | null }>(
      url,
      { schema: RUN_SCHEMA },
      async (request, reply) => {
        const level = await editableLevel(request, kind);
        const text = textOf(request.body);
        const purpose = request.body?.call_purpose ?? "";
        try {
          const job = await runAddition(context(request, level), entriesFromText(text), purpose);
          return reply.redirect(`/jobs/${job.id}`, 303);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          reply.code(422);
          return addPage(reply, level, text, purpose, Object.values(error.errors).join(" "));
        }
      },
    );
  }

  app.get<{ Params: IdParams }>(`/jobs/:id${ID}`, async (request, reply) => {
    const job = await findVisibleJob(app.db, request.user, toId(request.params.id));
    const done = job.kind === "add" ? "added" : "removed";
    return reply.page("manage/job", {
      title: `${job.kind === "add" ? "Add" : "Delete"} run #${job.id}`,
      nav: job.kind === "add" ? "add-numbers" : "delete-numbers",
      job,
      doneLabel: job.kind === "add" ? "Added Numbers" : "Removed Numbers",
      succeeded: await jobOutcomePage(app.db, job, done, SHOWN, 0),
      rejected: await jobOutcomePage(app.db, job, "rejected", SHOWN, 0),
      shown: SHOWN,
      backHref: `/${LEVEL_SEGMENTS[job.level_kind as LevelKind]}/${job.level_id}/numbers`,
    });
  });

  app.get<{ Params: IdParams }>(`/jobs/:id${ID}.csv`, async (request, reply) => {
    const job = await findVisibleJob(app.db, request.user, toId(request.params.id));
    reply
      .type("text/csv; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="job-${job.id}-${job.kind}.csv"`);
    return reply.send(Readable.from(jobCsv(app.db, job)));
  });
}
