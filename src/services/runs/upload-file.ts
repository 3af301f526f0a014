/**
 * Upload files for Add and Delete runs (product.md §4, hardening.md "CSV in", "Big uploads"):
 * CSV or plain text, one number per line, an optional header `phone_number[,call_purpose]`.
 *
 * The numbers themselves are left unread: the run reads them, in the upload worker's number
 * reader while it writes (read-ahead.ts), so reading 100,000 costs no time of its own.
 */
import { parse } from "csv-parse";
import type { ParsedNumber, RunEntry } from "./run-entries.js";
import { PROGRESS_EVERY } from "./run-plan.js";

/** The largest file taken: room for 100,000 numbers with a call purpose each (hardening.md). */
export const UPLOAD_MAX_BYTES = 8 * 1024 * 1024;

/** What the upload form says about the size limit. */
export const UPLOAD_MAX_SIZE_LABEL = "8 MiB";

/** An upload that cannot be read at all: nothing is run, the user gets the message. */
export class UploadError extends Error {
  constructor(
    readonly statusCode: 400 | 413 | 422,
    message: string,
  ) {
    super(message);
  }
}

export interface ReadOptions {
  /** The most numbers one file may hold (MAX_ENTRIES of bulk-runs). */
  maxEntries: number;
}

/** An entry of the file, its number unread (except a line whose columns are wrong). */
type ReadEntry = RunEntry;

export type ReadResult =
  | { ok: true; entries: ReadEntry[] }
  | { ok: false; statusCode: 400 | 422; message: string };

const SAVE_AS_CSV = "Save it as CSV UTF-8 (or plain text) and upload it again.";

export const UPLOAD_MESSAGES = {
  zip: `This is a zip file, not a CSV or text file (an Excel .xlsx workbook is a zip file too). ${SAVE_AS_CSV}`,
  pdf: `This is a PDF, not a CSV or text file. ${SAVE_AS_CSV}`,
  utf16: `This text file is saved as UTF-16 (Excel's "Unicode Text"), which the portal does not read. ${SAVE_AS_CSV}`,
  binary: `This is not a text file: it holds binary data (a spreadsheet, image or archive?). ${SAVE_AS_CSV}`,
  notUtf8: (line: number) =>
    `This is not a text file in UTF-8: line ${line.toLocaleString("en-US")} has characters in another encoding. ${SAVE_AS_CSV}`,
  unclosedQuote: (line: number) =>
    `Line ${line.toLocaleString("en-US")} opens a quote (") that is never closed, so the rest of the file cannot be read. Close or remove the quote and upload the file again.`,
  unreadable: (line: number, reason: string) =>
    `Line ${line.toLocaleString("en-US")} cannot be read as CSV: ${reason}`,
  noFile: "Choose a file of phone numbers to upload: none was chosen, or it is empty.",
  oneFile: "Upload one file at a time.",
  confirm: "Tick the box to confirm that the numbers in this file are to be deleted.",
  empty: "The file has no phone numbers in it: give one number per line.",
  tooMany: (max: number, count: number) =>
    `A file may hold at most ${max.toLocaleString("en-US")} numbers; this one has ${count.toLocaleString("en-US")}. Nothing was changed: split it into smaller files.`,
  tooLarge: `The file is larger than ${UPLOAD_MAX_SIZE_LABEL}, the most the portal takes. Nothing was changed: split it into smaller files.`,
  extraColumns: (count: number) =>
    `This line has ${count} values: give the phone number and, optionally, its call purpose (a first line phone_number,call_purpose names the columns).`,
} as const;

/** Why the bytes are not a text file at all, or null. Only the start is sniffed for magic. */
function binaryProblem(bytes: Uint8Array): string | null {
  const at = (i: number) => bytes[i] ?? -1;
  if (at(0) === 0x50 && at(1) === 0x4b && at(2) === 0x03 && at(3) === 0x04) {
    return UPLOAD_MESSAGES.zip;
  }
  if (at(0) === 0x25 && at(1) === 0x50 && at(2) === 0x44 && at(3) === 0x46) {
    return UPLOAD_MESSAGES.pdf;
  }
  if ((at(0) === 0xff && at(1) === 0xfe) || (at(0) === 0xfe && at(1) === 0xff)) {
    return UPLOAD_MESSAGES.utf16;
  }
  // No text file has a NUL in it; every spreadsheet, image and archive does.
  if (bytes.indexOf(0) !== -1) return UPLOAD_MESSAGES.binary;
  return null;
}

/** The first line whose bytes are not UTF-8 (only looked for once decoding failed). */
function firstBadLine(bytes: Uint8Array): number {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return 1;
}

/** How csv-parse reads an upload. */
export const CSV_OPTIONS = {
  bom: true,
  // Phone numbers never hold these, so a semicolon (European Excel) or tab file reads too.
  delimiter: [",", ";", "\t"],
  // Windows, Unix and old Mac line ends, even mixed in one file.
  record_delimiter: ["\r\n", "\n", "\r"],
  relax_column_count: true,
  relax_quotes: true,
  trim: true,
};

function readCsv(bytes: Uint8Array, onRecord: (record: string[]) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const parser = parse(CSV_OPTIONS);
    parser.on("data", onRecord);
    parser.on("error", reject);
    parser.on("end", resolve);
    parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
}

/**
 * The records of a text without a double quote, as csv-parse reads them with CSV_OPTIONS up to
 * trimming (each value is trimmed after either): without quotes a record is a line and a
 * value what lies between delimiters. A third of csv-parse's time, which is 0.1 s of a
 * 100,000-line upload; test/properties/plain-csv.test.ts holds the two to the same records.
 */
export function plainRecords(text: string): string[][] {
  const lines = text.split(/\r\n|\n|\r/);
  // A last line end closes the last record; it does not open another.
  if (lines.at(-1) === "") lines.pop();
  return lines.map((line) => line.split(/[,;\t]/));
}

const HEADER_NUMBER = "phone_number";
const HEADER_PURPOSE = "call_purpose";
const headerName = (cell: string) => cell.toLowerCase().replace(/[\s-]+/g, "_");

/** Lines a record spans beyond its first: line breaks inside quoted values. */
function extraLines(cells: string[]): number {
  let n = 0;
  for (const cell of cells) {
    if (!cell.includes("\n") && !cell.includes("\r")) continue;
    n += cell.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return n;
}

/**
 * Reads an uploaded file into run entries, each with the file's own line number and its number
 * already parsed. Rows that are not numbers become entries too (rejected later with a reason):
 * valid numbers are never blocked by invalid ones. Only a file that cannot be read at all, or
 * that holds no numbers or too many, is refused as a whole.
 */
export async function readUploadFile(
  bytes: Uint8Array,
  options: ReadOptions,
  /** Told the count of numbers read so far, every PROGRESS_EVERY of them. */
  progress?: (read: number) => void,
): Promise<ReadResult> {
  const binary = binaryProblem(bytes);
  if (binary) return { ok: false, statusCode: 400, message: binary };
  let text: string;
  try {
    // The decoder drops a byte order mark, as csv-parse does (`bom`).
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, statusCode: 400, message: UPLOAD_MESSAGES.notUtf8(firstBadLine(bytes)) };
  }

  const entries: ReadEntry[] = [];
  let count = 0;
  let line = 1; // where the next record starts
  let columns: { number: number; purpose: number } | null = null;
  let named = false;
  const onRecord = (record: string[]) => {
    const at = line;
    line += 1 + extraLines(record);
    // csv-parse trims around unquoted values only; " +1 213 " in quotes is trimmed here.
    const cells = record.map((cell) => cell.trim());
    if (cells.every((cell) => cell === "")) return; // a blank line, or one of only commas
    if (columns === null) {
      const names = cells.map(headerName);
      const number = names.indexOf(HEADER_NUMBER);
      named = number !== -1;
      columns = named
        ? { number, purpose: names.indexOf(HEADER_PURPOSE) }
        : { number: 0, purpose: 1 };
      if (named) return;
    }
    count++;
    // Past the limit the rest is only counted, so the message can say how many there were.
    if (count > options.maxEntries) return;
    const number = cells[columns.number] ?? "";
    const purpose = columns.purpose === -1 ? "" : (cells[columns.purpose] ?? "");
    // Without a header, a third value means the columns are not what they seem: say so.
    let values = cells.length;
    while (values > 0 && cells[values - 1] === "") values--;
    const parsed: ParsedNumber | undefined =
      !named && values > 2
        ? { ok: false, code: "INVALID_FORMAT", message: UPLOAD_MESSAGES.extraColumns(values) }
        : undefined;
    const callPurpose = purpose === "" ? null : purpose;
    entries.push(
      parsed ? { line: at, number, callPurpose, parsed } : { line: at, number, callPurpose },
    );
    if (progress && count % PROGRESS_EVERY === 0) progress(count);
  };

  try {
    if (!text.includes('"')) {
      for (const record of plainRecords(text)) onRecord(record);
    } else {
      await readCsv(bytes, onRecord);
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "CSV_QUOTE_NOT_CLOSED") {
      return { ok: false, statusCode: 422, message: UPLOAD_MESSAGES.unclosedQuote(line) };
    }
    if (typeof code === "string" && code.startsWith("CSV_")) {
      return {
        ok: false,
        statusCode: 422,
        message: UPLOAD_MESSAGES.unreadable(line, (error as Error).message),
      };
    }
    throw error;
  }
  if (count === 0) return { ok: false, statusCode: 422, message: UPLOAD_MESSAGES.empty };
  if (count > options.maxEntries) {
    return {
      ok: false,
      statusCode: 422,
      message: UPLOAD_MESSAGES.tooMany(options.maxEntries, count),
    };
  }
  return { ok: true, entries };
}
