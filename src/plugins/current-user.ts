import fp from "fastify-plugin";
import type { CurrentUser } from "../domain/permissions.js";
import { ensurePortalAdmin, toCurrentUser } from "../services/users.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is asking, with their role and scope: every access check starts here. */
    user: CurrentUser;
  }
}

/**
 * Puts the current user on every request. Until sign-in lands (issue 3) that is the portal
 * admin created at first start; the rest of the code already asks `request.user`.
 */
export const currentUserPlugin = fp<{ adminEmail: string }>(
  async (app, { adminEmail }) => {
    const admin = toCurrentUser(await ensurePortalAdmin(app.db, adminEmail));
    app.decorateRequest("user", null as unknown as CurrentUser);
    app.addHook("onRequest", async (request) => {
      request.user = admin;
    });
  },
  { name: "current-user", dependencies: ["db"] },
);
