import t, { type Test } from "tap";
import { PHONE_INPUT_MAX_LENGTH, parsePhoneInput } from "../../src/domain/phone-input.js";
import { isRejectionCode, REJECTION_CODES, REJECTION_LABELS } from "../../src/domain/rejections.js";

const LA = { ok: true, e164: "+12133734253", national: "(213) 373-4253" };

/** Asserts the input is refused as INVALID_FORMAT with a message matching `message`. */
function rejects(t: Test, raw: string, message: RegExp, why: string, region: string | null = "US") {
  const result = parsePhoneInput(raw, region);
  t.match(result, { ok: false, code: "INVALID_FORMAT", message }, why);
  t.notOk("e164" in result, `${why}: no number is made up from it`);
}

t.test("accepted formats, default region US", async (t) => {
  const accepted: Array<[string, string]> = [
    ["(213) 373-4253", "parentheses and dash (hardening 20)"],
    ["213.373.4253", "dots"],
    ["+1 213 373 4253", "international with spaces"],
    ["1-213-373-4253", "national prefix 1 with dashes"],
    ["+12133734253", "E.164"],
    ["2133734253", "digits only"],
    ["213/373/4253", "slashes"],
    ["+1 (213) 373-4253", "country code and parentheses"],
    ["  (213) 373-4253\t", "surrounding whitespace"],
    ["（２１３）３７３－４２５３", "full-width digits, parentheses and dash (NFKC)"],
    ["＋１ ２１３ ３７３ ４２５３", "full-width plus and digits"],
    ["213–373–4253", "en dashes pasted from a document"],
    ["'+12133734253", "our own CSV export's apostrophe before +"],
  ];
  for (const [raw, why] of accepted) t.same(parsePhoneInput(raw, "US"), LA, why);

  t.same(
    parsePhoneInput("011 44 20 7183 8750", "US"),
    { ok: true, e164: "+442071838750", national: "+44 20 7183 8750" },
    "the US international dialling prefix 011 (shown international on a US portal)",
  );
  t.same(
    parsePhoneInput("+44 20 7183 8750", "US"),
    { ok: true, e164: "+442071838750", national: "+44 20 7183 8750" },
    "another country's number with its country code",
  );
  t.same(
    parsePhoneInput("020 7183 8750", "GB"),
    { ok: true, e164: "+442071838750", national: "+44 20 7183 8750" },
    "a national number read with another default region (shown as the portal's home region says)",
  );
});

t.test("hardening 18: 1-800-FLOWERS is refused, not stored as +11800", async (t) => {
  rejects(t, "1-800-FLOWERS", /^Letters are not allowed/, "hardening 18: vanity number");
  rejects(t, "+1 800 FLOWERS", /^Letters are not allowed/, "hardening 18: with country code");
  rejects(t, "１－８００－ＦＬＯＷＥＲＳ", /^Letters are not allowed/, "hardening 18: full-width");
});

t.test("hardening 19: text around a number is refused, not searched for a number", async (t) => {
  rejects(t, "Call me +1 213 373 4253", /without text or symbols/, "hardening 19: text before");
  rejects(
    t,
    '=HYPERLINK("x")+12133734253',
    /without text or symbols/,
    "hardening 19: spreadsheet formula",
  );
  rejects(t, "tel:+12133734253", /without text or symbols/, "hardening 19: tel: URI");
  rejects(t, "*213 373 4253", /without text or symbols/, "hardening 19: symbol before");
  rejects(t, "<script>alert(1)</script>", /without text or symbols/, "hardening 19: markup");
  rejects(t, "213 373 4253 call me", /Letters are not allowed/, "hardening 19: text after");
  rejects(t, "''+12133734253", /without text or symbols/, "hardening 19: only one apostrophe");
});

t.test("hardening 20: a number without country code needs a default region", async (t) => {
  t.same(parsePhoneInput("(213) 373-4253", "US"), LA, "hardening 20: default region US");
  rejects(
    t,
    "(213) 373-4253",
    /^Add the country code, e\.g\. \+1 /,
    "hardening 20: no region",
    null,
  );
  rejects(t, "1-213-373-4253", /^Add the country code/, "hardening 20: 1 is not a +", null);
  rejects(
    t,
    "011 44 20 7183 8750",
    /^Add the country code/,
    "hardening 20: no region, so no dialling prefix either",
    null,
  );
  t.same(parsePhoneInput("+1 213 373 4253", null), LA, "hardening 20: + works without a region");
});

t.test("hardening 21: extensions are refused with a clear reason", async (t) => {
  for (const raw of [
    "213 373 4253 x1234",
    "213-373-4253x1234",
    "+1 213 373 4253 ext. 1234",
    "+1 213 373 4253 ext 1234",
    "+1 213 373 4253 extension 1234",
    "2133734253#123",
    "+1 213 373 4253;ext=1234",
    "213 373 4253, ext. 12",
  ]) {
    rejects(t, raw, /^Extensions are not allowed/, `hardening 21: ${raw}`);
  }
});

t.test("hardening 22: empty, +, too long, too many digits", async (t) => {
  rejects(t, "", /^Enter a phone number\.$/, "hardening 22: empty");
  rejects(t, "   \t ", /^Enter a phone number\.$/, "hardening 22: blank");
  rejects(t, "'", /^Enter a phone number\.$/, "hardening 22: an apostrophe alone");
  rejects(t, "+", /country code and number after the \+/, "hardening 22: + alone");
  rejects(t, "() -", /digits of the phone number/, "hardening 22: separators alone");
  rejects(t, "2".repeat(251), /too long/, "hardening 22: 251 characters");
  rejects(t, "2".repeat(100_000), /too long/, "hardening 22: 100,000 characters");
  t.same(
    parsePhoneInput(`${" ".repeat(PHONE_INPUT_MAX_LENGTH)}(213) 373-4253`, "US"),
    LA,
    "hardening 22: whitespace around a number does not count towards the length",
  );
  rejects(t, `+${"9".repeat(20)}`, /Too many digits.*at most 15/, "hardening 22: + and 20 nines");
  rejects(t, "9".repeat(20), /Too many digits/, "hardening 22: 20 nines without +");
  rejects(t, "+1", /Too short/, "hardening 22: country code alone");
  rejects(t, "+1 213 373 425", /Too few digits for a \+1 number/, "hardening 22: a digit missing");
  rejects(t, "+1 213 373 42534", /Too many digits for a \+1 number/, "hardening 22: one too many");
  rejects(t, "+999 123456", /Unknown country code/, "hardening 22: no such country code");
});

t.test("hardening 23: a possible but unassigned number is not valid", async (t) => {
  rejects(
    t,
    "+1 555 555 5555",
    /^Not a valid phone number: \+1 555 555 5555 is not in a range/,
    "hardening 23: +1 555 555 5555",
  );
  rejects(t, "(555) 555-5555", /^Not a valid phone number/, "hardening 23: national format");
  rejects(
    t,
    "44 20 7183 8750",
    /country code, starting with \+/,
    "hardening 23: a foreign number typed without + is not read as a US one",
  );
});

t.test("other characters are named", async (t) => {
  rejects(t, "1+213 373 4253", /^A \+ may only come first/, "a + in the middle");
  rejects(
    t,
    "213~373~4253",
    /^Use only digits/,
    "a tilde (libphonenumber reads ~ as an extension)",
  );
  rejects(t, "213 [373] 4253", /^Use only digits/, "square brackets");
  rejects(t, "213 373 4253, 213 373 4254", /several numbers/, "a list of numbers");
  rejects(t, "213 373 4253\n213 373 4254", /several numbers/, "a pasted column");
});

t.test("rejection codes and labels", async (t) => {
  t.same(Object.keys(REJECTION_LABELS), [...REJECTION_CODES], "every code has a label");
  t.equal(REJECTION_LABELS.INVALID_FORMAT, "Invalid format");
  t.equal(REJECTION_LABELS.DUPLICATE_IN_LIST, "Duplicate in this list");
  t.equal(REJECTION_LABELS.NOT_FOUND, "Not found");
  t.ok(isRejectionCode("OUTSIDE_LEVEL"));
  t.notOk(isRejectionCode("toString"), "only the codes themselves");
  t.notOk(isRejectionCode(undefined));
});

t.test("10,000 typed US numbers in many exchanges all parse as valid", async (t) => {
  // Speed is measured by `npm run bench`, never by a timed test; this keeps the breadth check.
  const numbers = Array.from(
    { length: 10_000 },
    (_, i) => `(213) ${200 + (i % 700)}-${String(1000 + ((i * 7) % 9000)).padStart(4, "0")}`,
  );
  const valid = numbers.filter((raw) => parsePhoneInput(raw, "US").ok).length;
  t.equal(valid, numbers.length, "all valid");
});
