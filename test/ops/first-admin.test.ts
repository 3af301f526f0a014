import t from "tap";
import { ADMIN_EMAIL, ADMIN_PASSWORD, buildTestApp } from "../helpers/app.js";

t.test("first start with ADMIN_PASSWORD: says which email, never the password", async (t) => {
  let out = "";
  const { close } = await buildTestApp({}, undefined, {
    signIn: false,
    announce: (text) => {
      out += text;
    },
  });
  t.teardown(close);
  t.match(out, `email:    ${ADMIN_EMAIL}`);
  t.notMatch(out, ADMIN_PASSWORD);
  t.match(out, "the one given in ADMIN_PASSWORD");
});

t.test("first start without ADMIN_PASSWORD: email and the generated password, once", async (t) => {
  let out = "";
  const { close } = await buildTestApp({ adminPassword: null }, undefined, {
    signIn: false,
    announce: (text) => {
      out += text;
    },
  });
  t.teardown(close);
  t.match(out, `email:    ${ADMIN_EMAIL}`);
  const password = /password: (\S+)/.exec(out)?.[1] ?? "";
  t.ok(password.length >= 12, "a generated password is printed");
});
