/**
 * Settings "Passwords": scrypt N=2^17, r=8, p=1 with enough maxmem, a 16-byte salt, the
 * parameters stored with the hash, at most two hashes at once, 8–256 characters.
 */
import t from "tap";
import {
  DEFAULT_SCRYPT,
  hashPassword,
  validatePassword,
  verifyPassword,
} from "../../src/services/people/passwords.js";
import { ADMIN_PASSWORD, buildTestApp, form } from "../helpers/app.js";

t.test(
  "the production parameters: N=2^17, r=8, p=1, 16-byte salt, stored with the hash",
  async (t) => {
    t.same(DEFAULT_SCRYPT, { N: 2 ** 17, r: 8, p: 1 });
    // One real hash with the real parameters: it would throw if maxmem were too small.
    const stored = await hashPassword("correct horse battery staple");
    const [scheme, n, r, p, salt, key] = stored.split("$");
    t.same([scheme, n, r, p], ["scrypt", "131072", "8", "1"]);
    t.equal(Buffer.from(String(salt), "base64url").length, 16, "16-byte salt");
    t.equal(Buffer.from(String(key), "base64url").length, 32);
    t.equal(await verifyPassword("correct horse battery staple", stored), true);
    t.equal(await verifyPassword("correct horse battery stapl", stored), false);
  },
);

t.test("salted: the same password hashes differently; old parameters still verify", async (t) => {
  const cheap = { N: 2 ** 10, r: 8, p: 1 };
  const a = await hashPassword("same password", cheap);
  const b = await hashPassword("same password", cheap);
  t.not(a, b);
  t.match(a, /^scrypt\$1024\$8\$1\$/);
  t.equal(await verifyPassword("same password", b), true, "parameters are read from the hash");
  t.equal(await verifyPassword("same password", "bcrypt$whatever"), false, "unknown scheme");
});

t.test("at most two hashes run at once; the rest wait their turn", async (t) => {
  let running = 0;
  let most = 0;
  const crypto = await import("node:crypto");
  const { hashPassword: limitedHash } = await t.mockImport<
    typeof import("../../src/services/people/passwords.js")
  >("../../src/services/people/passwords.js", {
    "node:crypto": {
      ...crypto,
      scrypt: (
        password: string,
        salt: Buffer,
        length: number,
        options: object,
        done: (error: Error | null, key: Buffer) => void,
      ) => {
        running++;
        most = Math.max(most, running);
        setTimeout(() => {
          running--;
          crypto.scrypt(password, salt, length, { ...options, N: 16 }, done);
        }, 20);
      },
    },
  });
  const hashes = await Promise.all(
    Array.from({ length: 6 }, (_, i) => limitedHash(`password ${i}`)),
  );
  t.equal(hashes.length, 6, "all six finished");
  t.equal(most, 2, "never more than two at once");
});

t.test("8 to 256 characters (counted as characters, not bytes)", async (t) => {
  t.match(validatePassword("1234567"), /at least 8/);
  t.equal(validatePassword("12345678"), null);
  t.equal(validatePassword("é".repeat(256)), null);
  t.equal(validatePassword("😀".repeat(256)), null, "256 emoji are 256 characters");
  t.match(validatePassword("a".repeat(257)), /at most 256/);

  const { admin, close } = await buildTestApp();
  t.teardown(close);
  const long = "a".repeat(257);
  const res = await admin.inject({
    method: "POST",
    url: "/account/password",
    ...form(
      { current_password: ADMIN_PASSWORD, new_password: long, confirm_password: long },
      { accept: "text/html" },
    ),
  });
  t.equal(res.statusCode, 422);
  t.match(res.body, /at most 256 characters/);
});
