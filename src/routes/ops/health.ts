import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { isReady } from "../../services/ops/readiness.js";

/** Probes for a supervisor or load balancer: open to everyone, never cached. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  /** Liveness: the process answers (buildApp opens and migrates the database before listening). */
  app.get("/healthz", async (_request, reply) => {
    await sql`select 1`.execute(app.db);
    return reply.header("Cache-Control", "no-store").send({ status: "ok" });
  });

  /** Readiness: the database answers and its migrations are current; otherwise 503. */
  app.get("/readyz", async (_request, reply) => {
    const ready = await isReady(app.database);
    return reply
      .code(ready ? 200 : 503)
      .header("Cache-Control", "no-store")
      .send({ status: ready ? "ready" : "unavailable" });
  });
}
