import t from "tap";
import { parsePhoneE164 } from "../../src/domain/phone-input.js";
import {
  type ReadOptions,
  readUploadFile,
  UPLOAD_MESSAGES,
} from "../../src/services/runs/upload-file.js";

const OPTIONS: ReadOptions = { maxEntries: 100_000 };
const bytesOf = (text: string) => new TextEncoder().encode(text);

/**
 * Reads a file that must be readable; the entries as [line, number, purpose, e164 or code],
 * each number read as the run reads it (the file's reading leaves them to the run).
 */
async function rows(text: string | Uint8Array, options = OPTIONS) {
  const result = await readUploadFile(typeof text === "string" ? bytesOf(text) : text, options);
  if (!result.ok) throw new Error(`refused: ${result.message}`);
  return result.entries.map((e) => {
    const parsed = e.parsed ?? parsePhoneE164(e.number, "US");
    return [e.line, e.number, e.callPurpose, parsed.ok ? parsed.e164 : parsed.code];
  });
}

async function refusal(bytes: Uint8Array | string, options = OPTIONS) {
  const result = await readUploadFile(typeof bytes === "string" ? bytesOf(bytes) : bytes, options);
  if (result.ok) throw new Error("read, but should have been refused");
  return result;
}

/** 100,000 distinct valid numbers (Los Angeles 213 numbers), one per line. */
const manyNumbers = (count: number) =>
  Array.from({ length: count }, (_, i) => {
    const n = String(3_000_000 + i);
    return `+1 213 ${n.slice(0, 3)} ${n.slice(3)}`;
  });

t.test("header, BOM, CRLF, quotes and blank lines; lines are the file's", async (t) => {
  const file = [
    "\uFEFFPhone_Number,Call_Purpose",
    "",
    '"(213) 373-4253",Survey',
    "   ",
    '" +1 213 373 4254 " , "Customer Service"',
    ",,",
    "'+13107284411,",
    "1-800-FLOWERS,Survey",
    "",
  ].join("\r\n");
  t.same(await rows(file), [
    [3, "(213) 373-4253", "Survey", "+12133734253"],
    [5, "+1 213 373 4254", "Customer Service", "+12133734254"],
    [7, "'+13107284411", null, "+13107284411"],
    [8, "1-800-FLOWERS", "Survey", "INVALID_FORMAT"],
  ]);
});

t.test("plain text, any line ends, other delimiters, header columns by name", async (t) => {
  t.same(
    await rows("2133734253\n+1 213 373 4254\r\n\r213.373.4255\r"),
    [
      [1, "2133734253", null, "+12133734253"],
      [2, "+1 213 373 4254", null, "+12133734254"],
      [4, "213.373.4255", null, "+12133734255"],
    ],
    "Unix, Windows and old Mac line ends, mixed",
  );
  t.same(
    await rows("2133734253;Survey\n2133734254\tSurvey\n"),
    [
      [1, "2133734253", "Survey", "+12133734253"],
      [2, "2133734254", "Survey", "+12133734254"],
    ],
    "semicolons (European Excel) and tabs separate columns too",
  );
  t.same(
    await rows("call_purpose,notes,phone_number\nSurvey,called twice,2133734253\n"),
    [[2, "2133734253", "Survey", "+12133734253"]],
    "a header names the columns; others are ignored",
  );
  t.same(
    await rows('a\n"2133734253\n2133734254"\n+12133734255'),
    [
      [1, "a", null, "INVALID_FORMAT"],
      [2, "2133734253\n2133734254", null, "INVALID_FORMAT"],
      [4, "+12133734255", null, "+12133734255"],
    ],
    "a quoted value over two lines starts on its first; the next line keeps its number",
  );
});

t.test("rows that are not one number are rejected one by one", async (t) => {
  const result = await readUploadFile(
    bytesOf('2133734253,Survey,,\n2133734254,Survey,extra\n=HYPERLINK("x")\n'),
    OPTIONS,
  );
  t.ok(result.ok);
  if (!result.ok) return;
  const [padded, extra, formula] = result.entries;
  t.same(
    [padded?.number, padded?.callPurpose, padded?.parsed],
    ["2133734253", "Survey", undefined],
    "trailing empty cells are fine: the number is left for the run to read",
  );
  t.same(extra?.parsed, {
    ok: false,
    code: "INVALID_FORMAT",
    message: UPLOAD_MESSAGES.extraColumns(3),
  });
  t.same(
    await rows('=HYPERLINK("x")\n'),
    [[1, '=HYPERLINK("x")', null, "INVALID_FORMAT"]],
    "a formula is no number",
  );
  t.equal(formula?.number, '=HYPERLINK("x")');
});

t.test("files that are not text are refused as a whole, with a clear reason", async (t) => {
  const zip = Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.from("+12133734253\n")]);
  t.same(await refusal(zip), { ok: false, statusCode: 400, message: UPLOAD_MESSAGES.zip });
  t.same(await refusal(Buffer.from("%PDF-1.7\n")), {
    ok: false,
    statusCode: 400,
    message: UPLOAD_MESSAGES.pdf,
  });
  t.same(await refusal(Buffer.from("\xff\xfe2\x001\x003\x00", "latin1")), {
    ok: false,
    statusCode: 400,
    message: UPLOAD_MESSAGES.utf16,
  });
  t.same(await refusal(Buffer.from("+12133734253\n\x00\x01\x02")), {
    ok: false,
    statusCode: 400,
    message: UPLOAD_MESSAGES.binary,
  });
  // Latin-1 "é" on line 3 (Excel's plain "CSV" on Windows): not UTF-8.
  const latin1 = Buffer.from(
    "phone_number,call_purpose\n2133734253,Survey\n2133734254,Enqu\xeate\n",
    "latin1",
  );
  const notUtf8 = await refusal(latin1);
  t.equal(notUtf8.statusCode, 400);
  t.match(notUtf8.message, /not a text file in UTF-8: line 3 /);
});

t.test(
  "unreadable CSV, no numbers, too many numbers: refused with the line or counts",
  async (t) => {
    const quote = await refusal('2133734253\n2133734254\n"2133734255\n2133734256\n');
    t.same(quote, { ok: false, statusCode: 422, message: UPLOAD_MESSAGES.unclosedQuote(3) });
    t.match(quote.message, /^Line 3 opens a quote/);
    for (const empty of ["", "\r\n\r\n", "phone_number,call_purpose\r\n", ",,\n"]) {
      t.same(await refusal(empty), { ok: false, statusCode: 422, message: UPLOAD_MESSAGES.empty });
    }
    const tooMany = await refusal(`phone_number\n${manyNumbers(11).join("\n")}`, {
      maxEntries: 10,
    });
    t.equal(tooMany.statusCode, 422);
    t.equal(
      tooMany.message,
      "A file may hold at most 10 numbers; this one has 11. Nothing was changed: split it into smaller files.",
    );
    t.same(
      await rows(`phone_number\n${manyNumbers(10).join("\n")}`, { ...OPTIONS, maxEntries: 10 }),
      [...manyNumbers(10).map((n, i) => [i + 2, n, null, `+1${n.replace(/\D/g, "").slice(1)}`])],
    );
  },
);

t.test(
  "a file's numbers are left for the run to read; a line with wrong columns is not",
  async (t) => {
    const result = await readUploadFile(
      bytesOf("+12133734253\n(213) 373-4254,Survey,x\n"),
      OPTIONS,
    );
    t.ok(result.ok);
    if (!result.ok) return;
    t.equal(result.entries[0]?.parsed, undefined, "read by the run (its number reader)");
    t.equal(result.entries[1]?.parsed?.ok, false, "three values: INVALID_FORMAT already");
  },
);
