import { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { LEVEL_SEGMENTS, type Level, type LevelKind, levelPath } from "../../domain/levels.js";
import { DO_NOT_ORIGINATE_CODE, purposeChoices } from "../../services/hierarchy/call-purposes.js";
import { resolveLevel } from "../../services/hierarchy/levels.js";
import {
  type DashboardParams,
  exportDashboard,
  loadDashboard,
  SORT_CHOICES,
  STATUS_CHOICES,
} from "../../services/numbers/dashboard.js";
import {
  changeNumberPurpose,
  findEditableNumber,
  findVisibleNumber,
  type NumberView,
  numberHistory,
  removeNumber,
} from "../../services/numbers/numbers.js";
import { findExpiringSoon } from "../../services/overview/expiring.js";
import {
  formSchema,
  formValues,
  ID,
  type IdParams,
  localPath,
  renderFormError,
  toId,
} from "../../web/forms.js";
import { manageItems } from "../../web/navigation.js";
import { renderedRows } from "../../web/numbers-table.js";
import {
  assignmentsJson,
  callPurposeJson,
  dashboardJson,
  numberJson,
} from "../../web/page-json.js";

const CHANGED = { "numbers-changed": null };

/** The dashboard of the number's own place: where a plain form goes back to by default. */
const homeOf = (n: NumberView): string => {
  if (n.program_id !== null) return `/programs/${n.program_id}/numbers`;
  if (n.business_unit_id !== null) return `/units/${n.business_unit_id}/numbers`;
  return `/businesses/${n.business_id}/numbers`;
};

export async function numberRoutes(app: FastifyInstance): Promise<void> {
  const level = (request: FastifyRequest<{ Params: IdParams }>, kind: LevelKind): Promise<Level> =>
    resolveLevel(app.db, request.user, kind, toId(request.params.id), app.readCache);

  for (const kind of ["business", "unit", "program"] as const) {
    const base = `/${LEVEL_SEGMENTS[kind]}/:id${ID}/numbers`;

    app.get<{ Params: IdParams; Querystring: DashboardParams }>(base, async (request, reply) => {
      const at = await level(request, kind);
      const dashboard = await loadDashboard(app.db, app.readCache, request.user, at, request.query);
      if (request.wantsJson) return dashboardJson(dashboard);
      // The search form swaps only the results; anything else (choosing a unit, which also
      // changes the program list; a boosted or direct load) gets the page.
      const data = {
        title: `Phone numbers · ${at.program?.name ?? at.unit?.name ?? at.business.name}`,
        level: at,
        nav: "numbers" as const,
        dashboard,
        rowsHtml: await renderedRows(app, dashboard),
        statusChoices: STATUS_CHOICES,
        sortChoices: SORT_CHOICES,
        expiring: await findExpiringSoon(app.db, app.readCache, at),
        // The header's Manage Phone Numbers ▾ menu: the sidebar group's entries.
        manage: manageItems(request.user, at),
      };
      return request.isFragment && request.headers["hx-target"] === "number-results"
        ? reply.fragment("numbers/_results-swap", data)
        : reply.page("numbers/page", data);
    });

    app.get<{ Params: IdParams; Querystring: DashboardParams }>(
      `${base}.csv`,
      async (request, reply) => {
        const at = await level(request, kind);
        const name = `numbers-${LEVEL_SEGMENTS[kind]}-${at.id}-${new Date().toISOString().slice(0, 10)}.csv`;
        reply
          .type("text/csv; charset=utf-8")
          .header("Content-Disposition", `attachment; filename="${name}"`);
        return reply.send(Readable.from(exportDashboard(app.db, app.readCache, at, request.query)));
      },
    );
  }

  app.get<{ Params: IdParams; Querystring: { return_to?: string } }>(
    `/numbers/:id${ID}/assignments`,
    async (request, reply) => {
      const id = toId(request.params.id);
      const number = await findVisibleNumber(app.db, request.user, id, app.readCache);
      const history = await numberHistory(app.db, number.e164, app.readCache);
      if (request.wantsJson) return assignmentsJson(number, history);
      return reply.dialog("numbers/_assignments", {
        title: `Assignments of ${number.national}`,
        nav: "numbers",
        number,
        history,
        closeHref: localPath(request.query.return_to, homeOf(number)),
      });
    },
  );

  const editForm = async (number: NumberView, returnTo: string, value: string) => {
    const current = await purposeChoices(app.db, number.call_purpose_id);
    const dno = current.find((p) => p.code === DO_NOT_ORIGINATE_CODE);
    return {
      title: `Edit ${number.national}`,
      nav: "numbers" as const,
      number,
      action: `/numbers/${number.id}/edit`,
      submitLabel: "Save",
      cancelHref: returnTo,
      returnTo,
      purposes: current,
      values: { call_purpose: value },
      dnoId: dno ? String(dno.id) : "",
      errors: {},
    };
  };

  app.get<{ Params: IdParams; Querystring: { return_to?: string } }>(
    `/numbers/:id${ID}/edit`,
    async (request, reply) => {
      const number = await findEditableNumber(app.db, request.user, toId(request.params.id));
      const returnTo = localPath(request.query.return_to, homeOf(number));
      const form = await editForm(number, returnTo, String(number.call_purpose_id));
      if (request.wantsJson) {
        return { number: numberJson(number), call_purposes: form.purposes.map(callPurposeJson) };
      }
      return reply.dialog("numbers/_edit", form);
    },
  );

  app.post<{ Params: IdParams }>(
    `/numbers/:id${ID}/edit`,
    { schema: formSchema(["call_purpose", "return_to"]) },
    async (request, reply) => {
      const before = await findEditableNumber(app.db, request.user, toId(request.params.id));
      const values = formValues(request.body, ["call_purpose", "return_to"]);
      const returnTo = localPath(values.return_to, homeOf(before));
      try {
        const saved = await changeNumberPurpose(
          app.db,
          request.user,
          before.id,
          values.call_purpose,
        );
        return reply.done({
          to: returnTo,
          message: `${saved.national} now has the call purpose ${saved.purpose_name}.`,
          events: { ...CHANGED, "number-saved": { id: saved.id } },
          json: { number: numberJson(saved) },
        });
      } catch (error) {
        return renderFormError(
          reply,
          error,
          "numbers/_edit",
          await editForm(before, returnTo, values.call_purpose),
        );
      }
    },
  );

  const removeDialog = (number: NumberView, returnTo: string) => ({
    title: `Remove ${number.national}?`,
    nav: "numbers" as const,
    number,
    action: `/numbers/${number.id}/remove`,
    returnTo,
    cancelHref: returnTo,
  });

  app.get<{ Params: IdParams; Querystring: { return_to?: string } }>(
    `/numbers/:id${ID}/remove`,
    async (request, reply) => {
      const number = await findEditableNumber(app.db, request.user, toId(request.params.id));
      if (request.wantsJson) return { number: numberJson(number) };
      return reply.dialog(
        "numbers/_remove",
        removeDialog(number, localPath(request.query.return_to, homeOf(number))),
      );
    },
  );

  app.post<{ Params: IdParams }>(
    `/numbers/:id${ID}/remove`,
    { schema: formSchema(["return_to"]) },
    async (request, reply) => {
      const values = formValues(request.body, ["return_to"]);
      const removed = await removeNumber(app.db, request.user, toId(request.params.id));
      const to = localPath(values.return_to, homeOf(removed));
      return reply.done({
        to,
        // The confirmation offers Undo: restoring this removal, back on the same page.
        undo: { action: `/removed/${removed.removalId}/restore`, returnTo: to },
        message: removed.brands
          ? `Removed ${removed.national}. It no longer displays ${removed.display_name}.`
          : `Removed ${removed.national}.`,
        events: CHANGED,
        json: { number: numberJson(removed), removal_id: removed.removalId },
      });
    },
  );

  // A level's own address opens its phone-number dashboard.
  for (const kind of ["business", "unit", "program"] as const) {
    app.get<{ Params: IdParams }>(`/${LEVEL_SEGMENTS[kind]}/:id${ID}`, async (request, reply) => {
      const at = await level(request, kind);
      return reply.redirect(`${levelPath(at)}/numbers`, 303);
    });
  }
}
