import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { checkReadiness } from "../../services/ops/readiness.js";

/** Probes for a supervisor or load balancer: open to everyone, never cached. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  /** Liveness: the process answers (buildApp opens and migrates the database before listening). */
  app.get("/healthz", async (_request, reply) => {
    await sql`select 1`.execute(app.db);
    return reply.header("Cache-Control", "no-store").send({ status: "ok" });
  });

  /**
   * Readiness: the database answers and its migrations are current; otherwise 503 with the
   * reason, so an instance taken out of an upstream says why.
   */
  app.get("/readyz", async (_request, reply) => {
    const readiness = await checkReadiness(app.database);
    return reply
      .code(readiness.ready ? 200 : 503)
      .header("Cache-Control", "no-store")
      .send(
        readiness.ready ? { status: "ready" } : { status: "unavailable", reason: readiness.reason },
      );
  });
}
