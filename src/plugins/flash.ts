import type { FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";

export interface Flash {
  kind: "success" | "error" | "info";
  message: string;
}

declare module "fastify" {
  interface FastifyReply {
    /** Keeps a message for the next page this browser loads (after a 303). */
    flash(flash: Flash): FastifyReply;
  }
  interface FastifyRequest {
    /** Reads the pending message, if any, and clears it so it shows once. */
    takeFlash(reply: FastifyReply): Flash | null;
  }
}

const COOKIE = "nd_flash";
const KINDS = new Set(["success", "error", "info"]);

/**
 * Flash messages ride in a short-lived cookie: they only carry text we wrote ourselves and
 * are always rendered escaped, so a forged cookie can show nothing worse than odd text.
 */
export const flashPlugin = fp(
  async (app) => {
    app.decorateReply("flash", function (this: FastifyReply, flash: Flash) {
      return this.setCookie(COOKIE, JSON.stringify(flash), {
        path: "/",
        httpOnly: true,
        sameSite: "lax",
        maxAge: 60,
      });
    });
    app.decorateRequest("takeFlash", function (this: FastifyRequest, reply: FastifyReply) {
      const raw = this.cookies[COOKIE];
      if (raw === undefined) return null;
      reply.clearCookie(COOKIE, { path: "/" });
      try {
        const parsed = JSON.parse(raw) as Partial<Flash>;
        if (typeof parsed.message === "string" && KINDS.has(String(parsed.kind))) {
          return { kind: parsed.kind as Flash["kind"], message: parsed.message.slice(0, 500) };
        }
      } catch {
        // A mangled cookie is simply dropped.
      }
      return null;
    });
  },
  { name: "flash", dependencies: ["@fastify/cookie"] },
);
