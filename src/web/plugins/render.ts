import view from "@fastify/view";
import { Eta } from "eta";
import type { FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Level } from "../../domain/levels.js";
import { type CurrentUser, ROLE_LABELS } from "../../domain/permissions.js";
import { VIEWS_DIR } from "../../paths.js";
import { buildLevelSwitcher, homeLevelOf } from "../../services/hierarchy/levels.js";
import { htmlBody } from "../html-body.js";
import { buildNavigation, type NavKey } from "../navigation.js";
import type { Flash, FlashUndo } from "./flash.js";
import { jsonError } from "./json.js";

/** Data every full page passes: its title and, when it sits at one, its level. */
export interface PageData {
  title: string;
  level?: Level | null;
  nav?: NavKey | null;
  [key: string]: unknown;
}

export interface DoneOptions {
  /** Where a plain form post is redirected (303). */
  to: string;
  message: string;
  /** Client events for htmx posts, e.g. { "hierarchy-changed": null }. */
  events?: Record<string, unknown>;
  /** What a script asking for JSON gets besides `ok` and `message` (e.g. the saved number). */
  json?: Record<string, unknown>;
  /** The message offers Undo (a form posting here), e.g. after removing a number. */
  undo?: FlashUndo;
}

declare module "fastify" {
  interface FastifyReply {
    /** A full page inside the layout (navigation, level switcher, flash, Support). */
    page(template: string, data: PageData): Promise<FastifyReply>;
    /** Only the fragment, for htmx swaps. */
    fragment(template: string, data: Record<string, unknown>): Promise<FastifyReply>;
    /** The fragment for htmx, else the page that includes it. */
    pageOrFragment(
      pageTemplate: string,
      fragmentTemplate: string,
      data: PageData,
    ): Promise<FastifyReply>;
    /**
     * A dialog's content: the fragment alone for htmx (it fills the page's <dialog>), or a
     * full page holding the same fragment when JavaScript is off or the URL is opened directly.
     */
    dialog(fragmentTemplate: string, data: PageData): Promise<FastifyReply>;
    /** After a successful post: 303 + flash for plain forms; events + message for htmx. */
    done(options: DoneOptions): Promise<FastifyReply>;
  }
}

export const renderPlugin = fp<{ supportUrl: string; cache: boolean }>(
  async (app, { supportUrl, cache }) => {
    const eta = new Eta({ views: VIEWS_DIR, cache, autoEscape: true, autoTrim: false });
    await app.register(view, {
      engine: { eta },
      root: VIEWS_DIR,
      viewExt: "eta",
      production: cache,
      defaultContext: { supportUrl, roleLabels: ROLE_LABELS },
    });

    /** A page without a level of its own (e.g. Account) shows a scoped user's home level. */
    async function levelFor(viewer: CurrentUser | null, data: PageData): Promise<Level | null> {
      if (data.level || !viewer || viewer.scope.kind === "portal") return data.level ?? null;
      return homeLevelOf(app.db, viewer);
    }

    async function chrome(request: FastifyRequest, reply: FastifyReply, data: PageData) {
      const viewer = request.viewer;
      const level = await levelFor(viewer, data);
      return {
        user: viewer,
        nav: viewer ? buildNavigation(viewer, level) : [],
        activeNav: data.nav ?? null,
        switcher:
          viewer && level ? await buildLevelSwitcher(app.db, app.readCache, viewer, level) : null,
        flash: request.takeFlash(reply) as Flash | null,
        // Where the flash's × leads without JavaScript: this page again, now without it.
        here: request.method === "GET" ? request.url : null,
      };
    }

    /**
     * A page asked for as JSON, where the route has no JSON of its own: a form sent back with
     * problems (4xx) becomes the JSON error with its field messages, so every form speaks JSON
     * through this one place; any other page is HTML only (406, rather than HTML to a script).
     */
    function pageAsJson(reply: FastifyReply, data: PageData): FastifyReply {
      const status = reply.statusCode;
      if (status < 400) {
        reply.code(406);
        return reply.send(
          jsonError(406, "This page is only HTML. See docs/scripting.md for the JSON interface."),
        );
      }
      const errors = (data.errors ?? {}) as Record<string, string>;
      const message =
        [data.refusal, data.error].find((m): m is string => typeof m === "string" && m !== "") ??
        (Object.values(errors).join(" ") || "The request could not be done.");
      return reply.send(jsonError(status, message, errors));
    }

    app.decorateReply(
      "page",
      async function (this: FastifyReply, template: string, data: PageData) {
        if (this.request.wantsJson) return pageAsJson(this, data);
        this.type("text/html; charset=utf-8");
        const html = await this.viewAsync(template, {
          ...data,
          user: this.request.viewer,
          csrfToken: this.csrfToken(),
          chrome: await chrome(this.request, this, data),
        });
        return this.send(htmlBody(html));
      },
    );

    app.decorateReply(
      "fragment",
      async function (this: FastifyReply, template: string, data: Record<string, unknown>) {
        this.type("text/html; charset=utf-8");
        const html = await this.viewAsync(template, {
          ...data,
          user: this.request.viewer,
          csrfToken: this.csrfToken(),
        });
        return this.send(htmlBody(html));
      },
    );

    app.decorateReply(
      "pageOrFragment",
      async function (
        this: FastifyReply,
        pageTemplate: string,
        fragmentTemplate: string,
        data: PageData,
      ) {
        return this.request.isFragment
          ? this.fragment(fragmentTemplate, data)
          : this.page(pageTemplate, data);
      },
    );

    app.decorateReply(
      "dialog",
      async function (this: FastifyReply, fragmentTemplate: string, data: PageData) {
        if (this.request.wantsJson) return pageAsJson(this, data);
        return this.request.isFragment
          ? this.fragment(fragmentTemplate, data)
          : this.page("layouts/dialog-page", {
              ...data,
              fragment: `/${fragmentTemplate}`,
              asPage: true,
            });
      },
    );

    app.decorateReply("done", async function (this: FastifyReply, options: DoneOptions) {
      const flash: Flash = {
        kind: "success",
        message: options.message,
        ...(options.undo ? { undo: options.undo } : {}),
      };
      // A script gets the outcome itself rather than a redirect to a page about it.
      if (this.request.wantsJson) {
        return this.code(200).send({ ok: true, message: options.message, ...options.json });
      }
      if (this.request.isFragment) {
        this.hxTrigger({ ...(options.events ?? {}), "dialog-close": null });
        return this.fragment("layouts/_flash-oob", { flash });
      }
      this.flash(flash);
      return this.redirect(options.to, 303);
    });
  },
  { name: "render", dependencies: ["db", "htmx", "json", "flash", "auth"] },
);
