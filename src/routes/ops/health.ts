import type { FastifyInstance } from "fastify";
import { isReady } from "../../services/ops/readiness.js";

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

  /** Readiness: the database answers and its migrations are current; otherwise 503. */
  app.get("/readyz", async (_request, reply) => {
    const ready = await isReady(app.database);
    return reply
      .code(ready ? 200 : 503)
      .header("Cache-Control", "no-store")
      .send({ status: ready ? "ready" : "unavailable" });
  });
}
