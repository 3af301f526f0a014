import t from "tap";
import { ADMIN_EMAIL, ADMIN_PASSWORD, buildTestApp } from "../helpers/app.js";

/** Runs `start` while collecting what it writes to stdout. */
async function stdoutOf(start: () => Promise<unknown>): Promise<string> {
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await start();
  } finally {
    process.stdout.write = write;
  }
  return written.join("");
}

t.test("first start with ADMIN_PASSWORD: says which email, never the password", async (t) => {
  let close = async () => {};
  const out = await stdoutOf(async () => {
    ({ close } = await buildTestApp({}, undefined, { signIn: false }));
  });
  t.teardown(() => close());
  t.match(out, `email:    ${ADMIN_EMAIL}`);
  t.notMatch(out, ADMIN_PASSWORD);
  t.match(out, "the one given in ADMIN_PASSWORD");
});

t.test("first start without ADMIN_PASSWORD: email and the generated password, once", async (t) => {
  let close = async () => {};
  const out = await stdoutOf(async () => {
    ({ close } = await buildTestApp({ adminPassword: null }, undefined, { signIn: false }));
  });
  t.teardown(() => close());
  t.match(out, `email:    ${ADMIN_EMAIL}`);
  const password = /password: (\S+)/.exec(out)?.[1] ?? "";
  t.ok(password.length >= 12, "a generated password is printed");
});
