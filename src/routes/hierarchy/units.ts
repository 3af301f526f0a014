import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Level } from "../../domain/levels.js";
import {
  checkUnitDeletion,
  createUnit,
  deleteUnit,
  listUnitsFor,
  unitPlace,
  updateUnit,
} from "../../services/hierarchy/units.js";
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

export async function unitRoutes(app: FastifyInstance): Promise<void> {
  /** The level named in the URL, where the user is about to change something (404, then 403). */
  async function managed(
    request: FastifyRequest<{ Params: IdParams }>,
    kind: "business" | "unit",
  ): Promise<Level> {
    return (await unitPlace(app.db, request.user, kind, toId(request.params.id), true)).level;
  }

  const listHref = (level: Level) => `/businesses/${level.business.id}/units`;

  app.get<{ Params: IdParams }>(`/businesses/:id${ID}/units`, async (request, reply) => {
    const { level: business, canManage } = await unitPlace(
      app.db,
      request.user,
      "business",
      toId(request.params.id),
      false,
    );
    return reply.pageOrFragment("units/page", "units/_list", {
      title: `Business units · ${business.business.name}`,
      level: business,
      nav: "units",
      units: await listUnitsFor(app.db, request.user, business),
      listHref: listHref(business),
      canManage,
    });
  });

  const newForm = (business: Level) => ({
    title: `New business unit in ${business.business.name}`,
    nameLabel: "Business unit name",
    level: business,
    nav: "units" as const,
    action: `/businesses/${business.id}/units/new`,
    submitLabel: "Create business unit",
    cancelHref: listHref(business),
  });

  app.get<{ Params: IdParams }>(`/businesses/:id${ID}/units/new`, async (request, reply) => {
    const business = await managed(request, "business");
    return reply.dialog("shared/_name-form", {
      ...newForm(business),
      values: { name: "" },
      errors: {},
    });
  });

  app.post<{ Params: IdParams }>(
    `/businesses/:id${ID}/units/new`,
    { schema: formSchema(FIELDS) },
    async (request, reply) => {
      const business = await managed(request, "business");
      const values = formValues(request.body, FIELDS);
      try {
        const unit = await createUnit(app.db, request.user, business.business, values);
        return reply.done({
          to: listHref(business),
          message: `Business unit ${unit.name} created.`,
          events: CHANGED,
        });
      } catch (error) {
        return renderFormError(reply, error, "shared/_name-form", {
          ...newForm(business),
          values,
          errors: {},
        });
      }
    },
  );

  const editForm = (unit: Level) => ({
    title: `Rename business unit ${unit.unit?.name ?? ""}`,
    nameLabel: "Business unit name",
    level: unit,
    nav: "units" as const,
    action: `/units/${unit.id}/edit`,
    submitLabel: "Save",
    cancelHref: listHref(unit),
  });

  app.get<{ Params: IdParams }>(`/units/:id${ID}/edit`, async (request, reply) => {
    const unit = await managed(request, "unit");
    return reply.dialog("shared/_name-form", {
      ...editForm(unit),
      values: { name: unit.unit?.name ?? "" },
      errors: {},
    });
  });

  app.post<{ Params: IdParams }>(
    `/units/:id${ID}/edit`,
    { schema: formSchema(FIELDS) },
    async (request, reply) => {
      const unit = await managed(request, "unit");
      const values = formValues(request.body, FIELDS);
      try {
        const saved = await updateUnit(app.db, request.user, unit, values);
        return reply.done({
          to: listHref(unit),
          message: `Business unit ${saved.name} saved.`,
          events: CHANGED,
        });
      } catch (error) {
        return renderFormError(reply, error, "shared/_name-form", {
          ...editForm(unit),
          values,
          errors: {},
        });
      }
    },
  );

  const deleteDialog = async (unit: Level) => ({
    title: `Delete business unit ${unit.unit?.name}?`,
    level: unit,
    nav: "units" as const,
    subject: `business unit ${unit.unit?.name}`,
    check: await checkUnitDeletion(app.db, unit.id),
    action: `/units/${unit.id}/delete`,
    cancelHref: listHref(unit),
  });

  app.get<{ Params: IdParams }>(`/units/:id${ID}/delete`, async (request, reply) => {
    const unit = await managed(request, "unit");
    return reply.dialog("shared/_delete", await deleteDialog(unit));
  });

  app.post<{ Params: IdParams }>(`/units/:id${ID}/delete`, async (request, reply) => {
    const unit = await managed(request, "unit");
    try {
      await deleteUnit(app.db, request.user, unit);
      return reply.done({
        to: listHref(unit),
        message: `Business unit ${unit.unit?.name} deleted.`,
        events: CHANGED,
      });
    } catch (error) {
      return renderFormError(reply, error, "shared/_delete", await deleteDialog(unit));
    }
  });
}
