import type { FastifyInstance } from "fastify";
import type { Dashboard } from "../services/numbers/dashboard.js";

/**
 * A dashboard page's rows as HTML, rendered once per data version and then kept in the read
 * cache: of a warm dashboard's cost, rendering its 50 rows was the largest share (issue 16's
 * profile), and they change only when the data (or the date) does. Keyed by the rows
 * themselves (Dashboard.rowsKey: filter, date, sort, page) and by all else they show: the
 * viewer's Edit and Remove, and where a row's menu comes back to.
 */
export function renderedRows(app: FastifyInstance, dashboard: Dashboard): Promise<string> {
  const { rows, columns, canEdit, returnTo } = dashboard;
  return app.readCache.get(
    `rows-html:${dashboard.rowsKey}:${canEdit}:${returnTo}`,
    () => app.view("numbers/_rows", { rows, columns, canEdit, returnTo }),
    { space: "html" },
  );
}
