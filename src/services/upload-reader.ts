/**
 * The worker pool that reads upload files off the event loop (upload-worker.ts runs
 * readUploadFile from uploads.ts), and the compact form its results travel back in.
 */
import { Worker } from "node:worker_threads";
import type { ReadEntry, ReadOptions } from "./uploads.js";
import { UploadError } from "./uploads.js";

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
