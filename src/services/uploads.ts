/**
 * Upload files for Add and Delete runs (product.md §4, hardening.md "CSV in", "Big uploads"):
 * CSV or plain text, one number per line, an optional header `phone_number[,call_purpose]`.
 *
 * Reading 100,000 lines costs about 1.5 s of CPU, nearly all of it parsePhoneInput, so it runs
 * in a worker thread (upload-worker.ts) and the event loop keeps serving other pages. The
 * worker hands back entries whose numbers are already parsed; bulk-runs then only looks them up.
 */
import { Worker } from "node:worker_threads";
import { parse } from "csv-parse";
import { parsePhoneInput } from "../domain/phone-input.js";
import type { ParsedNumber, RunEntry } from "./bulk-runs.js";

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
  defaultRegion: string | null;
  /** The most numbers one file may hold (MAX_ENTRIES of bulk-runs). */
  maxEntries: number;
}

/** An entry of the file with its number already read (never re-parsed by bulk-runs). */
export type ReadEntry = RunEntry & { parsed: ParsedNumber };

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
export async function readUploadFile(bytes: Uint8Array, options: ReadOptions): Promise<ReadResult> {
  const binary = binaryProblem(bytes);
  if (binary) return { ok: false, statusCode: 400, message: binary };
  try {
    // Decoded only to prove it is UTF-8: csv-parse reads the same bytes itself.
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, statusCode: 400, message: UPLOAD_MESSAGES.notUtf8(firstBadLine(bytes)) };
  }

  const entries: ReadEntry[] = [];
  let count = 0;
  let line = 1; // where the next record starts
  let columns: { number: number; purpose: number } | null = null;
  let named = false;
  const parser = parse({
    bom: true,
    // Phone numbers never hold these, so a semicolon (European Excel) or tab file reads too.
    delimiter: [",", ";", "\t"],
    // Windows, Unix and old Mac line ends, even mixed in one file.
    record_delimiter: ["\r\n", "\n", "\r"],
    relax_column_count: true,
    relax_quotes: true,
    trim: true,
  });
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
    let parsed: ParsedNumber;
    if (!named && values > 2) {
      parsed = { ok: false, code: "INVALID_FORMAT", message: UPLOAD_MESSAGES.extraColumns(values) };
    } else {
      const input = parsePhoneInput(number, options.defaultRegion);
      parsed = input.ok ? { ok: true, e164: input.e164 } : input;
    }
    entries.push({ line: at, number, callPurpose: purpose === "" ? null : purpose, parsed });
  };

  try {
    await new Promise<void>((resolve, reject) => {
      parser.on("data", onRecord);
      parser.on("error", reject);
      parser.on("end", resolve);
      parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
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

/**
 * Entries as columns, for the trip back from the worker: a structured clone of 100,000 small
 * objects takes the main thread a few hundred milliseconds, a few long strings and typed
 * arrays almost nothing. Strings are concatenated with their end offsets; the call purposes
 * and the messages, which repeat, are tables with an index per entry (-1: none).
 */
export interface PackedEntries {
  lines: Int32Array;
  numbers: string;
  numberEnds: Int32Array;
  /** E.164 of each valid number, "" for the others. */
  e164s: string;
  e164Ends: Int32Array;
  purposes: string[];
  purposeOf: Int32Array;
  messages: string[];
  messageOf: Int32Array;
}

export function packEntries(entries: ReadEntry[]): PackedEntries {
  const n = entries.length;
  const packed = {
    lines: new Int32Array(n),
    numberEnds: new Int32Array(n),
    e164Ends: new Int32Array(n),
    purposeOf: new Int32Array(n),
    messageOf: new Int32Array(n),
  };
  const numbers: string[] = [];
  const e164s: string[] = [];
  const purposes = new Map<string, number>();
  const messages = new Map<string, number>();
  const indexIn = (table: Map<string, number>, value: string) => {
    let index = table.get(value);
    if (index === undefined) {
      index = table.size;
      table.set(value, index);
    }
    return index;
  };
  let numberEnd = 0;
  let e164End = 0;
  entries.forEach((entry, i) => {
    packed.lines[i] = entry.line;
    numbers.push(entry.number);
    packed.numberEnds[i] = numberEnd += entry.number.length;
    const e164 = entry.parsed.ok ? entry.parsed.e164 : "";
    e164s.push(e164);
    packed.e164Ends[i] = e164End += e164.length;
    packed.purposeOf[i] = entry.callPurpose === null ? -1 : indexIn(purposes, entry.callPurpose);
    packed.messageOf[i] = entry.parsed.ok ? -1 : indexIn(messages, entry.parsed.message);
  });
  return {
    ...packed,
    numbers: numbers.join(""),
    e164s: e164s.join(""),
    purposes: [...purposes.keys()],
    messages: [...messages.keys()],
  };
}

export function unpackEntries(packed: PackedEntries): ReadEntry[] {
  const entries: ReadEntry[] = new Array(packed.lines.length);
  let numberStart = 0;
  let e164Start = 0;
  for (let i = 0; i < packed.lines.length; i++) {
    const numberEnd = packed.numberEnds[i] as number;
    const e164End = packed.e164Ends[i] as number;
    const purpose = packed.purposeOf[i] as number;
    const message = packed.messageOf[i] as number;
    entries[i] = {
      line: packed.lines[i] as number,
      number: packed.numbers.slice(numberStart, numberEnd),
      callPurpose: purpose === -1 ? null : (packed.purposes[purpose] as string),
      parsed:
        message === -1
          ? { ok: true, e164: packed.e164s.slice(e164Start, e164End) }
          : { ok: false, code: "INVALID_FORMAT", message: packed.messages[message] as string },
    };
    numberStart = numberEnd;
    e164Start = e164End;
  }
  return entries;
}

/** The typed arrays of packed entries, handed over rather than copied. */
export const transferablesOf = (packed: PackedEntries): ArrayBuffer[] =>
  [packed.lines, packed.numberEnds, packed.e164Ends, packed.purposeOf, packed.messageOf].map(
    (array) => array.buffer as ArrayBuffer,
  );

/** What the main thread sends the worker, and what comes back. */
export interface WorkerTask {
  id: number;
  bytes: Uint8Array;
  options: ReadOptions;
}
export type WorkerReply =
  | { id: number; entries: PackedEntries }
  | { id: number; refused: { statusCode: 400 | 422; message: string } }
  | { id: number; failure: string };

/** Marks the worker threads that are upload readers (upload-worker.ts checks it). */
export const WORKER_ROLE = "numberdesk-upload-reader";

/**
 * The worker's file next to this one: upload-worker.ts when running from source (tests, under
 * tap's TypeScript loader, which worker threads inherit), upload-worker.js in dist.
 */
const WORKER_URL = new URL(
  import.meta.url.endsWith(".ts") ? "./upload-worker.ts" : "./upload-worker.js",
  import.meta.url,
);

export interface UploadReaderOptions {
  /** Workers at once; more uploads wait their turn (each holds up to 8 MiB and 2 s of CPU). */
  workers?: number;
  /** An idle worker ends after this long; the next upload starts a new one. */
  idleMs?: number;
  /** A file not read by then fails (the request times out at 60 s anyway). */
  timeoutMs?: number;
}

/**
 * A small pool of worker threads reading upload files. Workers start on first use, are reused
 * while uploads keep coming, and never keep the process alive.
 */
export class UploadReader {
  readonly #size: number;
  readonly #idleMs: number;
  readonly #timeoutMs: number;
  #idle: Array<{ worker: Worker; timer: NodeJS.Timeout }> = [];
  #busy = new Set<Worker>();
  #waiting: Array<() => void> = [];
  #nextId = 1;
  #closed = false;

  constructor({ workers = 2, idleMs = 60_000, timeoutMs = 50_000 }: UploadReaderOptions = {}) {
    this.#size = Math.max(1, workers);
    this.#idleMs = idleMs;
    this.#timeoutMs = timeoutMs;
  }

  /** The file's entries, numbers parsed; an UploadError when the file cannot be taken. */
  async read(bytes: Uint8Array, options: ReadOptions): Promise<ReadEntry[]> {
    const reply = await this.#run(bytes, options);
    if ("failure" in reply) throw new Error(`upload worker: ${reply.failure}`);
    if ("refused" in reply) throw new UploadError(reply.refused.statusCode, reply.refused.message);
    return unpackEntries(reply.entries);
  }

  async #run(bytes: Uint8Array, options: ReadOptions): Promise<WorkerReply> {
    while (!this.#closed && this.#busy.size >= this.#size) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (this.#closed) throw new Error("upload reader closed");
    const idle = this.#idle.pop();
    if (idle) clearTimeout(idle.timer);
    const worker = idle?.worker ?? this.#spawn();
    this.#busy.add(worker);
    let healthy = false;
    try {
      const reply = await this.#ask(worker, { id: this.#nextId++, bytes, options });
      healthy = true;
      return reply;
    } finally {
      this.#busy.delete(worker);
      if (healthy && !this.#closed) this.#park(worker);
      else void worker.terminate();
      this.#waiting.shift()?.();
    }
  }

  #spawn(): Worker {
    const worker = new Worker(WORKER_URL, { workerData: { role: WORKER_ROLE } });
    worker.unref();
    // An idle worker that dies (out of memory, killed) is simply dropped.
    worker.on("error", () => {});
    worker.on("exit", () => {
      this.#idle = this.#idle.filter((entry) => entry.worker !== worker);
    });
    return worker;
  }

  #park(worker: Worker): void {
    const timer = setTimeout(() => {
      this.#idle = this.#idle.filter((entry) => entry.worker !== worker);
      void worker.terminate();
    }, this.#idleMs);
    timer.unref();
    this.#idle.push({ worker, timer });
  }

  #ask(worker: Worker, task: WorkerTask): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      const onMessage = (reply: WorkerReply) => {
        if (reply.id !== task.id) return;
        done();
        resolve(reply);
      };
      const onError = (error: Error) => {
        done();
        reject(error);
      };
      const onExit = (code: number) => {
        done();
        reject(new Error(`upload worker exited with code ${code}`));
      };
      // Also what keeps a process alive while a file is read: the worker itself is unref'd.
      const timer = setTimeout(() => {
        done();
        reject(new Error(`upload worker took longer than ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      worker.postMessage(task);
    });
  }

  /** Ends every worker; uploads still waiting fail. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of this.#waiting.splice(0)) wake();
    const workers = [...this.#idle.map((entry) => entry.worker), ...this.#busy];
    for (const entry of this.#idle) clearTimeout(entry.timer);
    this.#idle = [];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
