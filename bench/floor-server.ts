/**
 * The framework's floor (issue 16): a bare Fastify app answering GET /healthz with
 * {"status":"ok"}, no plugins, no hooks, no logger. The bench starts it beside the portal and
 * reports every target also as a share of its requests/s: what Fastify itself can do on this
 * machine at this moment, so the portal's own costs show instead of hiding in a ratio to a
 * slow /healthz. Reads PORT and HOST as the portal does.
 */
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.get("/healthz", async () => ({ status: "ok" }));
await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? "127.0.0.1" });
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
