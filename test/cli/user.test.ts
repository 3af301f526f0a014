import t from "tap";
import { parseUserArgs } from "../../src/cli/user.js";

t.test("npm run user: arguments", async (t) => {
  t.same(
    parseUserArgs(["add", "--email", "jo@acme.test", "--role", "editor", "--scope", "unit:3"]),
    {
      command: "add",
      email: "jo@acme.test",
      role: "editor",
      scope: "unit:3",
    },
  );
  t.same(parseUserArgs(["add", "--email", "p@x.test", "--role", "portal_admin"]), {
    command: "add",
    email: "p@x.test",
    role: "portal_admin",
    scope: "portal",
  });
  t.same(parseUserArgs(["password", "--email", "jo@acme.test"]), {
    command: "password",
    email: "jo@acme.test",
  });
  t.same(parseUserArgs(["disable", "--email", "jo@acme.test"]), {
    command: "disable",
    email: "jo@acme.test",
  });
  t.throws(() => parseUserArgs(["add", "--email", "jo@acme.test", "--role", "viewer"]), /--scope/);
  t.throws(() => parseUserArgs(["add", "--role", "viewer"]), /--email is required/);
  t.throws(() => parseUserArgs(["promote", "--email", "x@y.z"]), /Unknown command: promote/);
  t.throws(
    () =>
      parseUserArgs(["add", "--email", "a@b.c", "--role", "viewer", "--scope", "unit:1", "--sudo"]),
    /Unknown option/,
  );
});
