import t from "tap";
import { csvCell, csvLine } from "../../src/domain/csv.js";
import { parseDigitSearch } from "../../src/domain/number-search.js";
import { formatNational } from "../../src/domain/phone-format.js";

t.test("search digits typed in any format", async (t) => {
  t.same(parseDigitSearch("(213) 373"), { kind: "digits", digits: "213373" });
  t.same(parseDigitSearch("373-42"), { kind: "digits", digits: "37342" });
  t.same(parseDigitSearch("+1 213"), { kind: "digits", digits: "1213" });
  t.same(parseDigitSearch("213.373.4253"), { kind: "digits", digits: "2133734253" });
  t.same(parseDigitSearch("３７３４"), { kind: "digits", digits: "3734" }, "full-width digits");
  t.same(parseDigitSearch("   "), { kind: "none" });
  t.same(parseDigitSearch(undefined), { kind: "none" });
  t.match(parseDigitSearch("' OR 1=1--"), { kind: "invalid" }, "SQL is not a phone number");
  t.match(parseDigitSearch("1-800-FLOWERS"), { kind: "invalid" });
  t.match(parseDigitSearch("+ - ()"), { kind: "invalid", message: /at least one digit/ });
  t.match(parseDigitSearch("1".repeat(16)), { kind: "invalid", message: /at most 15 digits/ });
});

t.test("national format for display", async (t) => {
  t.equal(formatNational("+12133734253"), "(213) 373-4253");
  t.equal(formatNational("+12133734253"), "(213) 373-4253", "the second time from memory");
  t.equal(formatNational("+442071838750"), "+44 20 7183 8750", "another country: international");
  t.equal(formatNational("not a number"), "not a number", "shown as stored when unparseable");
});

t.test("CSV cells are safe to open in a spreadsheet", async (t) => {
  t.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  t.equal(csvCell("+12133734253"), "+12133734253", "a plain E.164 number is written as is");
  t.equal(csvCell("+12133734253+1"), "'+12133734253+1", "anything more after it is a formula");
  t.equal(csvCell("+1 213 373 4253"), "'+1 213 373 4253", "typed text with a + stays protected");
  t.equal(csvCell("+1"), "'+1", "too short for a number");
  t.equal(csvCell("-1"), "'-1");
  t.equal(csvCell("@SUM(A1)"), "'@SUM(A1)");
  t.equal(csvCell("\tx"), "'\tx");
  t.equal(csvCell("ACME, Inc."), '"ACME, Inc."');
  t.equal(csvCell("line\nbreak"), '"line\nbreak"');
  t.equal(csvCell(null), "");
  t.equal(csvCell(42), "42");
  t.equal(csvLine(["a", "b,c", null]), 'a,"b,c",\r\n');
});
