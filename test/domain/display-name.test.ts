import t from "tap";
import { validateDisplayName } from "../../src/domain/display-name.js";

t.test("accepts letters, digits, spaces and & ' , . - ( ) /", async (t) => {
  for (const ok of [
    "ACME Billing",
    "A",
    "Dr. Smith's Office (Main)",
    "R&D / Ops, Inc. - 2",
    "Café Zürich 24",
  ]) {
    t.equal(validateDisplayName(ok), null, ok);
  }
  t.equal(validateDisplayName("x".repeat(32)), null, "32 characters is the limit");
});

t.test("rejects empty, too long, edge spaces and other characters", async (t) => {
  t.match(validateDisplayName(""), /Enter the display name/);
  t.match(validateDisplayName("x".repeat(33)), /at most 32 characters \(this one has 33\)/);
  t.match(validateDisplayName(" ACME"), /cannot start or end with a space/);
  t.match(validateDisplayName("ACME "), /cannot start or end with a space/);
  t.match(validateDisplayName("<img src=x onerror=alert(1)>"), /not: < = >/);
  t.match(validateDisplayName("ACME!"), /not: !/);
  t.match(validateDisplayName("ACME\tBilling"), /may only use/);
});
