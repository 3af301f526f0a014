import type { FastifyInstance } from "fastify";
import { checkReadiness } from "../../services/ops/readiness.js";

/** Probes for a supervisor or load balancer: open to everyone, never cached. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  /**
   * Liveness: the process answers. It asks nothing of the database (buildApp opened and
   * migrated it before listening; /readyz checks it): a supervisor that restarted the portal
   * whenever the database blinked would only add restarts to the outage.
   */
  app.get("/healthz", async (_request, reply) => {
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
