import t from "tap";
import { buildTestApp } from "../helpers/app.js";

t.test("GET /healthz answers ok once the database is migrated", async (t) => {
  const { app, close } = await buildTestApp();
  t.teardown(close);
  const res = await app.inject({ method: "GET", url: "/healthz" });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: "ok" });
});
