import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  businessById,
  checkBusinessDeletion,
  createBusiness,
  deleteBusiness,
  listBusinessesFor,
  requireBusinessManager,
  updateBusiness,
} from "../../services/hierarchy/businesses.js";
import { loadTwoFactorRules } from "../../services/people/two-factor-rules.js";
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

export async function businessRoutes(app: FastifyInstance): Promise<void> {
  async function loadBusiness(request: FastifyRequest<{ Params: IdParams }>) {
    return businessById(app.db, request.user, toId(request.params.id));
  }

  app.get("/businesses", async (request, reply) => {
    // Only a portal admin gets past listBusinessesFor, so the page's buttons are theirs.
    const businesses = await listBusinessesFor(app.db, request.user);
    return reply.pageOrFragment("businesses/page", "businesses/_list", {
      title: "Businesses",
      nav: "businesses",
      businesses,
      canManage: true,
      twoFactor: await loadTwoFactorRules(app.db, request.user),
    });
  });

  const newForm = {
    title: "New business",
    nameLabel: "Business name",
    action: "/businesses/new",
    submitLabel: "Create business",
    cancelHref: "/businesses",
    nav: "businesses" as const,
  };

  app.get("/businesses/new", async (request, reply) => {
    requireBusinessManager(request.user);
    return reply.dialog("shared/_name-form", { ...newForm, values: { name: "" }, errors: {} });
  });

  app.post("/businesses/new", { schema: formSchema(FIELDS) }, async (request, reply) => {
    const values = formValues(request.body, FIELDS);
    try {
      const business = await createBusiness(app.db, request.user, values);
      return reply.done({
        to: "/businesses",
        message: `Business ${business.name} created.`,
        events: CHANGED,
      });
    } catch (error) {
      return renderFormError(reply, error, "shared/_name-form", { ...newForm, values, errors: {} });
    }
  });

  const editForm = (id: number) => ({
    title: "Rename business",
    nameLabel: "Business name",
    action: `/businesses/${id}/edit`,
    submitLabel: "Save",
    cancelHref: "/businesses",
    nav: "businesses" as const,
  });

  app.get<{ Params: IdParams }>(`/businesses/:id${ID}/edit`, async (request, reply) => {
    const business = await loadBusiness(request);
    return reply.dialog("shared/_name-form", {
      ...editForm(business.id),
      values: { name: business.name },
      errors: {},
    });
  });

  app.post<{ Params: IdParams }>(
    `/businesses/:id${ID}/edit`,
    { schema: formSchema(FIELDS) },
    async (request, reply) => {
      const business = await loadBusiness(request);
      const values = formValues(request.body, FIELDS);
      try {
        const saved = await updateBusiness(app.db, request.user, business.id, values);
        return reply.done({
          to: "/businesses",
          message: `Business ${saved.name} saved.`,
          events: CHANGED,
        });
      } catch (error) {
        return renderFormError(reply, error, "shared/_name-form", {
          ...editForm(business.id),
          values,
          errors: {},
        });
      }
    },
  );

  const deleteDialog = async (business: { id: number; name: string }) => ({
    title: `Delete business ${business.name}?`,
    nav: "businesses" as const,
    subject: `business ${business.name}`,
    check: await checkBusinessDeletion(app.db, business.id),
    action: `/businesses/${business.id}/delete`,
    cancelHref: "/businesses",
  });

  app.get<{ Params: IdParams }>(`/businesses/:id${ID}/delete`, async (request, reply) => {
    const business = await loadBusiness(request);
    return reply.dialog("shared/_delete", await deleteDialog(business));
  });

  app.post<{ Params: IdParams }>(`/businesses/:id${ID}/delete`, async (request, reply) => {
    const business = await loadBusiness(request);
    try {
      await deleteBusiness(app.db, request.user, business.id);
      return reply.done({
        to: "/businesses",
        message: `Business ${business.name} deleted.`,
        events: CHANGED,
      });
    } catch (error) {
      return renderFormError(reply, error, "shared/_delete", await deleteDialog(business));
    }
  });
}
