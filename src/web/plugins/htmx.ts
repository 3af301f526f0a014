import type { FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";

declare module "fastify" {
  interface FastifyRequest {
    /** htmx asked for a piece of a page (not a boosted navigation): answer with the fragment. */
    isFragment: boolean;
  }
  interface FastifyReply {
    /** Fires client-side events after the swap (HX-Trigger), e.g. to refresh a list. */
    hxTrigger(events: Record<string, unknown>): FastifyReply;
  }
}

function wantsFragment(request: FastifyRequest): boolean {
  return request.headers["hx-request"] === "true" && request.headers["hx-boosted"] !== "true";
}

/**
 * One URL answers with a page or a fragment depending on htmx headers, so caches must key on
 * them; a URL htmx pushes to history still gives a full page when loaded directly.
 */
export const htmxPlugin = fp(
  async (app) => {
    app.decorateRequest("isFragment", false);
    app.decorateReply("hxTrigger", function (this: FastifyReply, events: Record<string, unknown>) {
      return this.header("HX-Trigger", JSON.stringify(events));
    });
    // Set at the start: headers set then stay on every answer, error pages included.
    app.addHook("onRequest", (request, reply, done) => {
      request.isFragment = wantsFragment(request);
      reply.header("Vary", "HX-Request, HX-Boosted, HX-Target");
      done();
    });
  },
  { name: "htmx" },
);
