/**
 * Property: a file without a double quote is read into the same records by the fast path
 * (plainRecords in src/services/uploads.ts) as by csv-parse with the upload's options, value
 * for value once trimmed (the upload trims every value after either), blank lines included
 * (they count in line numbers), whatever mix of line ends, delimiters, spaces, byte order mark and other text it holds.
 */
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import t from "tap";
import { CSV_OPTIONS, plainRecords } from "../../src/services/runs/upload-file.js";

/** Pieces a quote-free upload is made of, weighted toward what makes records and values. */
const piece = fc.oneof(
  { arbitrary: fc.constantFrom("\r\n", "\n", "\r"), weight: 3 },
  { arbitrary: fc.constantFrom(",", ";", "\t"), weight: 3 },
  { arbitrary: fc.constantFrom(" ", "  ", "\u00a0", "\f", "\v"), weight: 2 },
  { arbitrary: fc.constantFrom("+1 213 373 4253", "(213) 373-4253", "Survey", "x"), weight: 3 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 4 }), weight: 2 },
  { arbitrary: fc.constantFrom("'", "#", "\\", "é", "０１２"), weight: 1 },
);

const quoteFree = fc
  .tuple(fc.boolean(), fc.array(piece, { maxLength: 40 }))
  .map(([bom, pieces]) => `${bom ? "\ufeff" : ""}${pieces.join("")}`.replaceAll('"', ""));

/**
 * Records as the upload sees them: values trimmed, and blank records at the end dropped (the
 * upload skips a blank record, and past the last record there are no line numbers to count:
 * csv-parse drops a last line of spaces, the fast path keeps it as a blank record).
 */
function trimmed(records: string[][]): string[][] {
  const values = records.map((record) => record.map((value) => value.trim()));
  while (values.at(-1)?.every((value) => value === "")) values.pop();
  return values;
}

t.test("quote-free files: the fast path reads the records csv-parse reads", async (t) => {
  let files = 0;
  fc.assert(
    fc.property(quoteFree, (text) => {
      files++;
      const bytes = Buffer.from(text, "utf8");
      const expected = trimmed(parse(bytes, CSV_OPTIONS) as string[][]);
      // As the upload does: decoded text, its byte order mark dropped by the decoder.
      const actual = trimmed(plainRecords(new TextDecoder("utf-8").decode(bytes)));
      t.same(actual, expected, JSON.stringify(text));
    }),
    { numRuns: 500 },
  );
  t.equal(files, 500, "500 random files compared");
});

t.test("the cases worth naming", async (t) => {
  for (const text of [
    "",
    "\n",
    "a",
    "a\n",
    "a\n\nb\r\n",
    "\r\r\n\n",
    "+1,Survey;x\ty\r",
    " , \n",
  ]) {
    t.same(
      trimmed(plainRecords(text)),
      trimmed(parse(Buffer.from(text), CSV_OPTIONS) as string[][]),
      JSON.stringify(text),
    );
  }
});
