import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Level, LevelKind } from "../../domain/levels.js";
import { levelPath } from "../../domain/levels.js";
import { DO_NOT_ORIGINATE_CODE, purposeChoices } from "../../services/hierarchy/call-purposes.js";
import {
  checkProgramDeletion,
  createProgram,
  deleteProgram,
  findProgramView,
  listProgramsFor,
  type ProgramInput,
  programPlace,
  updateProgram,
} from "../../services/hierarchy/programs.js";
import { listUnitsFor } from "../../services/hierarchy/units.js";
import {
  formSchema,
  formValues,
  ID,
  type IdParams,
  renderFormError,
  toId,
} from "../../web/forms.js";

const FIELDS = ["name", "display_name", "call_purpose", "starts_on", "ends_on", "unit_id"] as const;
const CHANGED = { "hierarchy-changed": null };

/** The purposes a program form offers: active ones, plus the current one if it was retired. */
export async function programRoutes(app: FastifyInstance): Promise<void> {
  const place = (request: FastifyRequest<{ Params: IdParams }>, kind: LevelKind) =>
    programPlace(app.db, request.user, kind, toId(request.params.id), false);
  /** The level named in the URL, where the user is about to change something (404, then 403). */
  async function managed(
    request: FastifyRequest<{ Params: IdParams }>,
    kind: LevelKind,
  ): Promise<Level> {
    return (await programPlace(app.db, request.user, kind, toId(request.params.id), true)).level;
  }

  /** Programs are listed at the level they were opened from; a program's list is its unit's. */
  const listHref = (at: Level) =>
    at.kind === "program" && at.unit
      ? `/units/${at.unit.id}/programs`
      : `${levelPath(at)}/programs`;

  async function formData(
    request: FastifyRequest,
    at: Level,
    values: Record<(typeof FIELDS)[number], string>,
    mode: { action: string; title: string; submitLabel: string; currentPurposeId: number | null },
  ) {
    const purposes = await purposeChoices(app.db, mode.currentPurposeId);
    const dnoId = purposes.find((p) => p.code === DO_NOT_ORIGINATE_CODE)?.id ?? null;
    return {
      ...mode,
      level: at,
      nav: "programs" as const,
      values,
      errors: {},
      purposes,
      dnoId: dnoId === null ? "" : String(dnoId),
      // The unit is chosen on the business-level form only; elsewhere it is the URL's.
      units: at.kind === "business" ? await listUnitsFor(app.db, request.user, at) : null,
      cancelHref: listHref(at),
    };
  }

  for (const kind of ["business", "unit"] as const) {
    const base = `/${kind === "business" ? "businesses" : "units"}/:id${ID}/programs`;

    app.get<{ Params: IdParams }>(base, async (request, reply) => {
      const { level: at, canManage } = await place(request, kind);
      return reply.pageOrFragment("programs/page", "programs/_list", {
        title: `Programs · ${at.unit?.name ?? at.business.name}`,
        level: at,
        nav: "programs",
        programs: await listProgramsFor(app.db, request.user, at),
        listHref: listHref(at),
        newHref: `${levelPath(at)}/programs/new`,
        showUnit: kind === "business",
        canManage,
      });
    });

    const newMode = (at: Level) => ({
      action: `${levelPath(at)}/programs/new`,
      title: `New program in ${at.unit?.name ?? at.business.name}`,
      submitLabel: "Create program",
      currentPurposeId: null,
    });

    app.get<{ Params: IdParams }>(`${base}/new`, async (request, reply) => {
      const at = await managed(request, kind);
      const empty = {
        name: "",
        display_name: "",
        call_purpose: "",
        starts_on: "",
        ends_on: "",
        unit_id: "",
      };
      return reply.dialog("programs/_form", await formData(request, at, empty, newMode(at)));
    });

    app.post<{ Params: IdParams }>(
      `${base}/new`,
      { schema: formSchema(FIELDS) },
      async (request, reply) => {
        const at = await managed(request, kind);
        const values = formValues(request.body, FIELDS);
        try {
          const program = await createProgram(app.db, request.user, at, values as ProgramInput);
          return reply.done({
            to: listHref(at),
            message: `Program ${program.name} created.`,
            events: CHANGED,
          });
        } catch (error) {
          return renderFormError(
            reply,
            error,
            "programs/_form",
            await formData(request, at, values, newMode(at)),
          );
        }
      },
    );
  }

  app.get<{ Params: IdParams }>(`/programs/:id${ID}/details`, async (request, reply) => {
    const { level: at, canManage } = await place(request, "program");
    return reply.pageOrFragment("programs/show", "programs/_details", {
      title: `Program ${at.program?.name}`,
      level: at,
      nav: "programs",
      program: await findProgramView(app.db, at.id),
      canManage,
    });
  });

  const editMode = (at: Level, currentPurposeId: number) => ({
    action: `/programs/${at.id}/edit`,
    title: `Edit program ${at.program?.name}`,
    submitLabel: "Save",
    currentPurposeId,
  });

  app.get<{ Params: IdParams }>(`/programs/:id${ID}/edit`, async (request, reply) => {
    const at = await managed(request, "program");
    const program = await findProgramView(app.db, at.id);
    const values = {
      name: program.name,
      display_name: program.display_name,
      call_purpose: String(program.default_call_purpose_id),
      starts_on: program.starts_on ?? "",
      ends_on: program.ends_on ?? "",
      unit_id: "",
    };
    const data = await formData(request, at, values, editMode(at, program.default_call_purpose_id));
    return reply.dialog("programs/_form", { ...data, cancelHref: `/programs/${at.id}/details` });
  });

  app.post<{ Params: IdParams }>(
    `/programs/:id${ID}/edit`,
    { schema: formSchema(FIELDS) },
    async (request, reply) => {
      const at = await managed(request, "program");
      const values = formValues(request.body, FIELDS);
      try {
        const program = await updateProgram(app.db, request.user, at, values as ProgramInput);
        return reply.done({
          to: `/programs/${at.id}/details`,
          message: `Program ${program.name} saved.`,
          events: CHANGED,
        });
      } catch (error) {
        const current = await findProgramView(app.db, at.id);
        const data = await formData(
          request,
          at,
          values,
          editMode(at, current.default_call_purpose_id),
        );
        return renderFormError(reply, error, "programs/_form", {
          ...data,
          cancelHref: `/programs/${at.id}/details`,
        });
      }
    },
  );

  const deleteDialog = async (at: Level) => ({
    title: `Delete program ${at.program?.name}?`,
    level: at,
    nav: "programs" as const,
    subject: `program ${at.program?.name}`,
    check: await checkProgramDeletion(app.db, at.id),
    action: `/programs/${at.id}/delete`,
    cancelHref: listHref(at),
  });

  app.get<{ Params: IdParams }>(`/programs/:id${ID}/delete`, async (request, reply) => {
    const at = await managed(request, "program");
    return reply.dialog("shared/_delete", await deleteDialog(at));
  });

  app.post<{ Params: IdParams }>(`/programs/:id${ID}/delete`, async (request, reply) => {
    const at = await managed(request, "program");
    try {
      await deleteProgram(app.db, request.user, at);
      return reply.done({
        to: listHref(at),
        message: `Program ${at.program?.name} deleted.`,
        events: CHANGED,
      });
    } catch (error) {
      return renderFormError(reply, error, "shared/_delete", await deleteDialog(at));
    }
  });
}
