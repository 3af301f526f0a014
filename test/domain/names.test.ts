import t from "tap";
import { normaliseName, validateName } from "../../src/domain/names.js";

t.test("normaliseName folds white space", async (t) => {
  t.equal(normaliseName("  ACME \t Corp \n"), "ACME Corp");
});

t.test("validateName: required, at most 100 characters, no control characters", async (t) => {
  t.match(validateName("", "business"), /Enter a business name/);
  t.equal(validateName("x".repeat(100), "business"), null);
  t.match(validateName("x".repeat(101), "business unit"), /business unit name can be at most 100/);
  t.match(validateName("a\u0000b", "program"), /control characters/);
});
