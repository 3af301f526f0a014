import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type Level, type LevelKind, levelPath } from "../../domain/levels.js";
import { scopeValue } from "../../domain/permissions.js";
import { resetTwoFactor } from "../../services/people/two-factor.js";
import {
  listUsersFor,
  managedUserView,
  roleChoices,
  scopeChoices,
  type UserView,
  userListLevel,
} from "../../services/people/user-views.js";
import {
  createUser,
  resetUserPassword,
  scopeOf,
  setUserDisabled,
  updateUser,
} from "../../services/people/users.js";
import {
  formSchema,
  formValues,
  ID,
  type IdParams,
  renderFormError,
  toId,
} from "../../web/forms.js";

const NEW_FIELDS = ["email", "role", "scope"] as const;
const EDIT_FIELDS = ["role", "scope"] as const;
const CHANGED = { "users-changed": null };

/** Where a level's users are listed; a program's users are its unit's. */
const usersHref = (level: Level | null): string => {
  if (level === null) return "/users";
  if (level.kind === "program" && level.unit) return `/units/${level.unit.id}/users`;
  return `${levelPath(level)}/users`;
};

/** The list a user belongs to, by their own scope. */
const homeListOf = (user: Pick<UserView, "business_id" | "business_unit_id">): string => {
  if (user.business_unit_id !== null) return `/units/${user.business_unit_id}/users`;
  if (user.business_id !== null) return `/businesses/${user.business_id}/users`;
  return "/users";
};

export async function userRoutes(app: FastifyInstance): Promise<void> {
  /** The list's level (null = the portal admin's list of everyone), if the user manages users there. */
  async function listLevel(
    request: FastifyRequest<{ Params: Partial<IdParams> }>,
    kind: LevelKind | null,
  ) {
    const at = kind === null ? null : { kind, id: toId(request.params.id ?? "") };
    return userListLevel(app.db, request.user, at);
  }

  /** The user named in the URL, to change: 404 outside the actor's scope, 403 above their role. */
  const target = (request: FastifyRequest<{ Params: IdParams }>): Promise<UserView> =>
    managedUserView(app.db, request.user, toId(request.params.id));

  const newForm = async (request: FastifyRequest, level: Level | null) => ({
    title: "New user",
    level,
    nav: "users" as const,
    action: `${level ? levelPath(level) : ""}/users/new`,
    submitLabel: "Create user",
    cancelHref: usersHref(level),
    roles: roleChoices(request.user),
    scopes: await scopeChoices(app.db, request.user, level),
    errors: {},
  });

  async function created(
    reply: FastifyReply,
    level: Level | null,
    email: string,
    password: string,
  ) {
    // Not a 303: the one-time password is shown exactly once and never put in a URL or cookie.
    reply.code(201);
    if (reply.request.isFragment) reply.hxTrigger(CHANGED);
    return reply.dialog("users/_password-issued", {
      title: "User created",
      level,
      nav: "users",
      email,
      password,
      doneHref: usersHref(level),
    });
  }

  for (const kind of [null, "business", "unit"] as const) {
    const base =
      kind === null ? "/users" : `/${kind === "business" ? "businesses" : "units"}/:id${ID}/users`;

    app.get<{ Params: Partial<IdParams> }>(base, async (request, reply) => {
      const level = await listLevel(request, kind);
      return reply.pageOrFragment("users/page", "users/_list", {
        title: "Users",
        level,
        nav: level ? "users" : "all-users",
        users: await listUsersFor(app.db, request.user, level),
        listHref: usersHref(level),
        newHref: `${level ? levelPath(level) : ""}/users/new`,
      });
    });

    app.get<{ Params: Partial<IdParams> }>(`${base}/new`, async (request, reply) => {
      const level = await listLevel(request, kind);
      const data = await newForm(request, level);
      return reply.dialog("users/_form", {
        ...data,
        values: { email: "", role: "viewer", scope: data.scopes[0]?.value ?? "" },
      });
    });

    app.post<{ Params: Partial<IdParams> }>(
      `${base}/new`,
      { schema: formSchema(NEW_FIELDS) },
      async (request, reply) => {
        const level = await listLevel(request, kind);
        const values = formValues(request.body, NEW_FIELDS);
        try {
          const result = await createUser(app.db, request.user, values, app.passwordHashing);
          return created(reply, level, result.user.email, result.oneTimePassword);
        } catch (error) {
          return renderFormError(reply, error, "users/_form", {
            ...(await newForm(request, level)),
            values,
          });
        }
      },
    );
  }

  const editForm = async (request: FastifyRequest, user: UserView) => ({
    title: `Change ${user.email}`,
    nav: "users" as const,
    action: `/users/${user.id}/edit`,
    submitLabel: "Save",
    cancelHref: homeListOf(user),
    email: null,
    roles: roleChoices(request.user),
    scopes: await scopeChoices(app.db, request.user, null),
    errors: {},
  });

  app.get<{ Params: IdParams }>(`/users/:id${ID}/edit`, async (request, reply) => {
    const user = await target(request);
    return reply.dialog("users/_form", {
      ...(await editForm(request, user)),
      values: { role: user.role, scope: scopeValue(scopeOf(user)) },
    });
  });

  app.post<{ Params: IdParams }>(
    `/users/:id${ID}/edit`,
    { schema: formSchema(EDIT_FIELDS) },
    async (request, reply) => {
      const user = await target(request);
      const values = formValues(request.body, EDIT_FIELDS);
      try {
        const saved = await updateUser(app.db, request.user, user.id, values);
        return reply.done({
          to: homeListOf(saved),
          message: `${user.email} saved.`,
          events: CHANGED,
        });
      } catch (error) {
        return renderFormError(reply, error, "users/_form", {
          ...(await editForm(request, user)),
          values,
        });
      }
    },
  );

  const confirmDialog = (user: UserView, verb: "disable" | "reset-password") => ({
    title: verb === "disable" ? `Disable ${user.email}?` : `New password for ${user.email}?`,
    nav: "users" as const,
    message:
      verb === "disable"
        ? "They are signed out at once and cannot sign in until an admin enables them again."
        : "Their current password stops working and they are signed out. You will see a one-time password to give them.",
    action: `/users/${user.id}/${verb}`,
    submitLabel: verb === "disable" ? "Disable" : "Issue new password",
    cancelHref: homeListOf(user),
  });

  for (const verb of ["disable", "reset-password"] as const) {
    app.get<{ Params: IdParams }>(`/users/:id${ID}/${verb}`, async (request, reply) => {
      const user = await target(request);
      return reply.dialog("users/_confirm", confirmDialog(user, verb));
    });
  }

  app.post<{ Params: IdParams }>(`/users/:id${ID}/disable`, async (request, reply) => {
    const user = await target(request);
    await setUserDisabled(app.db, request.user, user.id, true);
    return reply.done({
      to: homeListOf(user),
      message: `${user.email} is disabled and signed out.`,
      events: CHANGED,
    });
  });

  app.post<{ Params: IdParams }>(`/users/:id${ID}/enable`, async (request, reply) => {
    const user = await target(request);
    await setUserDisabled(app.db, request.user, user.id, false);
    return reply.done({
      to: homeListOf(user),
      message: `${user.email} can sign in again.`,
      events: CHANGED,
    });
  });

  // An admin takes a user's second factor off (a lost phone): inside the admin's scope only.
  const resetTwoFactorDialog = (user: UserView) => ({
    title: `Reset two-factor sign-in of ${user.email}?`,
    nav: "users" as const,
    message:
      "Their authenticator app and recovery codes stop working at once. Where two-factor sign-in is required, they set it up again at their next sign-in.",
    action: `/users/${user.id}/two-factor/reset`,
    submitLabel: "Reset two-factor sign-in",
    cancelHref: homeListOf(user),
  });

  app.get<{ Params: IdParams }>(`/users/:id${ID}/two-factor/reset`, async (request, reply) => {
    const user = await target(request);
    return reply.dialog("users/_confirm", resetTwoFactorDialog(user));
  });

  app.post<{ Params: IdParams }>(`/users/:id${ID}/two-factor/reset`, async (request, reply) => {
    const user = await target(request);
    const { hadOne } = await resetTwoFactor(app.db, request.user, user.id);
    return reply.done({
      to: homeListOf(user),
      message: hadOne
        ? `Reset the two-factor sign-in of ${user.email}.`
        : `${user.email} had no two-factor sign-in to reset.`,
      events: CHANGED,
      json: { user: { id: user.id, email: user.email }, had_two_factor: hadOne },
    });
  });

  app.post<{ Params: IdParams }>(`/users/:id${ID}/reset-password`, async (request, reply) => {
    const user = await target(request);
    const result = await resetUserPassword(app.db, request.user, user.id, app.passwordHashing);
    reply.code(200);
    if (request.isFragment) reply.hxTrigger(CHANGED);
    return reply.dialog("users/_password-issued", {
      title: "New one-time password",
      nav: "users",
      email: result.user.email,
      password: result.oneTimePassword,
      doneHref: homeListOf(user),
    });
  });
}
