import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  allCallPurposes,
  callPurposeById,
  createCallPurpose,
  DO_NOT_ORIGINATE_CODE,
  renameCallPurpose,
  requireCatalogManager,
  setCallPurposeRetired,
} from "../../services/hierarchy/call-purposes.js";
import {
  formSchema,
  formValues,
  ID,
  type IdParams,
  renderFormError,
  toId,
} from "../../web/forms.js";

const FIELDS = ["name"] as const;
const CHANGED = { "hierarchy-changed": null };
const LIST = "/call-purposes";

export async function callPurposeRoutes(app: FastifyInstance): Promise<void> {
  async function loadPurpose(request: FastifyRequest<{ Params: IdParams }>) {
    return callPurposeById(app.db, request.user, toId(request.params.id));
  }

  app.get(LIST, async (request, reply) => {
    return reply.pageOrFragment("call-purposes/page", "call-purposes/_list", {
      title: "Call purposes",
      nav: "call-purposes",
      purposes: await allCallPurposes(app.db, request.user),
      dnoCode: DO_NOT_ORIGINATE_CODE,
    });
  });

  const newForm = {
    title: "New call purpose",
    nameLabel: "Call purpose name",
    nav: "call-purposes" as const,
    action: `${LIST}/new`,
    submitLabel: "Add call purpose",
    cancelHref: LIST,
  };

  app.get(`${LIST}/new`, async (request, reply) => {
    requireCatalogManager(request.user);
    return reply.dialog("shared/_name-form", { ...newForm, values: { name: "" }, errors: {} });
  });

  app.post(`${LIST}/new`, { schema: formSchema(FIELDS) }, async (request, reply) => {
    const values = formValues(request.body, FIELDS);
    try {
      const purpose = await createCallPurpose(app.db, request.user, values);
      return reply.done({
        to: LIST,
        message: `Call purpose ${purpose.name} added.`,
        events: CHANGED,
      });
    } catch (error) {
      return renderFormError(reply, error, "shared/_name-form", { ...newForm, values, errors: {} });
    }
  });

  const editForm = (id: number) => ({
    title: "Rename call purpose",
    nameLabel: "Call purpose name",
    nav: "call-purposes" as const,
    action: `${LIST}/${id}/edit`,
    submitLabel: "Save",
    cancelHref: LIST,
  });

  app.get<{ Params: IdParams }>(`${LIST}/:id${ID}/edit`, async (request, reply) => {
    const purpose = await loadPurpose(request);
    return reply.dialog("shared/_name-form", {
      ...editForm(purpose.id),
      values: { name: purpose.name },
      errors: {},
    });
  });

  app.post<{ Params: IdParams }>(
    `${LIST}/:id${ID}/edit`,
    { schema: formSchema(FIELDS) },
    async (request, reply) => {
      const purpose = await loadPurpose(request);
      const values = formValues(request.body, FIELDS);
      try {
        const saved = await renameCallPurpose(app.db, request.user, purpose.id, values);
        return reply.done({
          to: LIST,
          message: `Call purpose ${saved.name} saved.`,
          events: CHANGED,
        });
      } catch (error) {
        return renderFormError(reply, error, "shared/_name-form", {
          ...editForm(purpose.id),
          values,
          errors: {},
        });
      }
    },
  );

  // Retiring is reversible and changes no number, so it needs no confirmation step.
  for (const [verb, retired] of [
    ["retire", true],
    ["reinstate", false],
  ] as const) {
    app.post<{ Params: IdParams }>(`${LIST}/:id${ID}/${verb}`, async (request, reply) => {
      const purpose = await loadPurpose(request);
      const saved = await setCallPurposeRetired(app.db, request.user, purpose.id, retired);
      return reply.done({
        to: LIST,
        message: retired
          ? `Call purpose ${saved.name} retired: it is no longer offered, and numbers that use it keep it.`
          : `Call purpose ${saved.name} reinstated.`,
        events: CHANGED,
      });
    });
  }
}
