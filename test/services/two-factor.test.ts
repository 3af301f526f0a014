/** Item 33 at the service level: codes within ±1 step, never twice; recovery codes once. */
import t from "tap";
import { findUserByEmail } from "../../src/queries/users.js";
import {
  challengeUser,
  codeAt,
  endChallenge,
  mustEnrol,
  RECOVERY_CODE_COUNT,
  resetTwoFactor,
  startChallenge,
  verifySecondFactor,
} from "../../src/services/people/two-factor.js";
import {
  confirmEnrolment,
  startEnrolment,
} from "../../src/services/people/two-factor-enrolment.js";
import { COMMAND_LINE, toCurrentUser } from "../../src/services/people/users.js";
import { ADMIN_EMAIL, buildTestApp } from "../helpers/app.js";
import { userAgent } from "../helpers/users.js";

const STEP = 30_000;

t.test("enrol, then sign-in codes: ±1 step, never twice; recovery codes once", async (t) => {
  const { app, database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;
  await userAgent(app, db, "jo@acme.test", "portal_admin", "portal");
  const row = await findUserByEmail(db, "jo@acme.test");
  if (!row) throw new Error("no user");
  const jo = toCurrentUser(row);
  const now = Date.now();

  const enrolment = await startEnrolment(db, jo);
  t.match(enrolment.secret, /^[A-Z2-7]{32}$/, "a 160-bit base32 secret");
  t.match(enrolment.uri, /^otpauth:\/\/totp\/Numberdesk:jo%40acme\.test\?/);
  t.match(enrolment.qrSvg, /^<svg [^>]*viewBox/, "the QR code is an inline SVG");
  t.notMatch(enrolment.qrSvg, /style=|href=|<script/i, "no inline style, link or script (CSP)");
  t.equal(
    (await startEnrolment(db, jo)).secret,
    enrolment.secret,
    "the same secret until confirmed",
  );
  await t.rejects(confirmEnrolment(db, jo, "000000", now), /./, "a wrong first code is refused");
  const codes = await confirmEnrolment(db, jo, codeAt(enrolment.secret, now), now);
  t.equal(codes.length, RECOVERY_CODE_COUNT);
  const stored = await db.selectFrom("recovery_codes").select("code_hash").execute();
  t.equal(stored.length, RECOVERY_CODE_COUNT);
  t.notOk(
    stored.some((s) => codes.some((c) => s.code_hash.includes(c.replace("-", "")))),
    "hashed",
  );

  const ip = { ip: "192.0.2.1" };
  const used = codeAt(enrolment.secret, now);
  t.notOk(await verifySecondFactor(db, row, used, ip, now), "the enrolment's code never again");
  const late = now + 2 * STEP;
  t.ok(
    await verifySecondFactor(db, row, codeAt(enrolment.secret, late - STEP), ip, late),
    "one step old: accepted",
  );
  t.notOk(
    await verifySecondFactor(db, row, codeAt(enrolment.secret, late - STEP), ip, late),
    "not twice",
  );
  const later = now + 10 * STEP;
  t.notOk(
    await verifySecondFactor(db, row, codeAt(enrolment.secret, later - 2 * STEP), ip, later),
    "two steps old: refused",
  );
  t.notOk(
    await verifySecondFactor(db, row, codeAt(enrolment.secret, later + 2 * STEP), ip, later),
    "two steps ahead: refused",
  );
  t.ok(
    await verifySecondFactor(db, row, codeAt(enrolment.secret, later + STEP), ip, later),
    "one step ahead",
  );
  const recovery = codes[0] ?? "";
  t.ok(await verifySecondFactor(db, row, recovery.toUpperCase(), ip, later), "a recovery code");
  t.notOk(await verifySecondFactor(db, row, recovery, ip, later), "a recovery code only once");
  const audit = await db
    .selectFrom("audit_events")
    .select("action")
    .where("action", "like", "%second_factor%")
    .execute();
  t.equal(audit.length, 8, "every attempt audited");

  // A sign-in waiting for its code, and an admin's reset.
  const token = await startChallenge(db, row.id, "/numbers", now);
  t.equal((await challengeUser(db, token, now))?.next, "/numbers");
  t.equal(await challengeUser(db, token, now + 6 * 60_000), null, "a challenge expires");
  await endChallenge(db, token);
  t.equal(await challengeUser(db, token, now), null, "and ends");
  await db.insertInto("two_factor_rules").values({ business_id: null, created_at: "x" }).execute();
  t.notOk(await mustEnrol(db, jo), "enrolled users are under the rule already");
  await resetTwoFactor(db, COMMAND_LINE, row.id);
  t.ok(await mustEnrol(db, jo), "after a reset, the rule asks them to enrol again");
  t.equal((await db.selectFrom("recovery_codes").selectAll().execute()).length, 0);
  const admin = await findUserByEmail(db, ADMIN_EMAIL);
  t.ok(admin, "the portal admin exists");
});
