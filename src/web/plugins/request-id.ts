import fp from "fastify-plugin";
import { REQUEST_ID_HEADER } from "../../logging.js";

/**
 * Echoes the request's id (see logging.ts) in an `X-Request-Id` response header, on every
 * answer, error pages included: what a user or script reports is what the log lines carry.
 */
export const requestIdPlugin = fp(
  async (app) => {
    app.addHook("onRequest", (request, reply, done) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      done();
    });
  },
  { name: "request-id" },
);
