import type { FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";

export interface Flash {
  kind: "success" | "error" | "info";
  message: string;
  /** A change that can be taken back at once: the Undo button's form (product.md §5). */
  undo?: FlashUndo;
}

export interface FlashUndo {
  /** Where the Undo button posts, e.g. /removed/12/restore. */
  action: string;
  /** The page to come back to afterwards. */
  returnTo: string;
}

/** Undo posts only to a restore of one removal; a forged cookie can aim it nowhere else. */
const UNDO_ACTION = /^\/removed\/\d{1,15}\/restore$/;
const LOCAL_PATH = /^\/(?![/\\])[^\s]{0,1999}$/;

function undoOf(value: unknown): FlashUndo | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { action, returnTo } = value as Partial<FlashUndo>;
  if (typeof action !== "string" || !UNDO_ACTION.test(action)) return undefined;
  return {
    action,
    returnTo: typeof returnTo === "string" && LOCAL_PATH.test(returnTo) ? returnTo : "/",
  };
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
          const undo = undoOf(parsed.undo);
          return {
            kind: parsed.kind as Flash["kind"],
            message: parsed.message.slice(0, 500),
            ...(undo ? { undo } : {}),
          };
        }
      } catch {
        // A mangled cookie is simply dropped.
      }
      return null;
    });
  },
  { name: "flash", dependencies: ["@fastify/cookie"] },
);
