/**
 * Reading a run's numbers in a second thread while the run writes (issue 5's speed target).
 *
 * Reading 100,000 numbers with libphonenumber-js costs about 1 s of CPU, and writing them
 * about as much again; one after the other, an add upload took 3 s. The upload worker
 * (run-worker.ts) hands the numbers to its number reader (read-ahead-worker.ts) as soon as
 * the file is parsed, before it even waits for the writer lock, and the run then takes them
 * chunk by chunk as it goes: each chunk is read long before the run reaches it.
 *
 * The run itself stays synchronous (one better-sqlite3 transaction cannot span an await), so
 * it takes chunks with receiveMessageOnPort, and when one is not there yet it sleeps on a
 * shared counter (Atomics.wait) that the reader bumps after posting each chunk. Should the
 * reader stall or die, the run reads the rest itself (EntryReader reads any entry left
 * unread): slower, never wrong.
 */
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from "node:worker_threads";
import type { ParsedNumber, RunEntry } from "./run-entries.js";
import { heapCaps } from "./thread-heap.js";

/** Numbers per message: small enough that the run never waits long for the first. */
export const READ_AHEAD_CHUNK = 2_000;

/** Marks the number reader thread (read-ahead-worker.ts checks it). */
export const READER_ROLE = "numberdesk-number-reader";

/** How long the run waits for one chunk, by default, before reading the rest itself. */
const STALL_MS = 5_000;

/** What the number reader is sent: the numbers to read (null: leave that entry unread). */
export interface ReadAheadTask {
  numbers: Array<string | null>;
  defaultRegion: string | null;
  port: MessagePort;
  /** One Int32: how many chunks the reader has posted. */
  posted: SharedArrayBuffer;
}

/** One chunk read: entry i of the chunk is entry chunk × READ_AHEAD_CHUNK + i of the run. */
export interface ReadAheadChunk {
  chunk: number;
  parsed: Array<ParsedNumber | null>;
}

const READER_URL = new URL(
  import.meta.url.endsWith(".ts") ? "./read-ahead-worker.ts" : "./read-ahead-worker.js",
  import.meta.url,
);

/**
 * Starts a number reader. Its heap is capped (thread-heap.ts) well below the upload worker's:
 * it holds one run's numbers (at most an 8 MiB file's worth) and a chunk of readings.
 */
export function startNumberReader(): Worker {
  const reader = new Worker(READER_URL, {
    workerData: { role: READER_ROLE },
    resourceLimits: heapCaps(READER_URL.href, { youngMb: 4, oldMb: 48 }),
  });
  reader.unref();
  // A reader that dies only makes the runs read their numbers themselves (see above).
  reader.on("error", () => {});
  return reader;
}

/** The run's side: the chunks read so far, attached to the run's entries as they are taken. */
export class ReadAhead {
  readonly #port: MessagePort;
  readonly #posted: Int32Array;
  readonly #entries: RunEntry[];
  /** The next chunk to take. */
  #next = 0;
  #stalled = false;
  readonly #stallMs: number;

  /** Sends `reader` the numbers of the entries that `needsReading` picks. */
  constructor(
    reader: Worker,
    entries: RunEntry[],
    defaultRegion: string | null,
    needsReading: (entry: RunEntry) => boolean,
    stallMs = STALL_MS,
  ) {
    this.#stallMs = stallMs;
    const { port1, port2 } = new MessageChannel();
    const posted = new SharedArrayBuffer(4);
    this.#port = port1;
    this.#posted = new Int32Array(posted);
    this.#entries = entries;
    const numbers = entries.map((entry) => (needsReading(entry) ? entry.number : null));
    const task: ReadAheadTask = { numbers, defaultRegion, port: port2, posted };
    reader.postMessage(task, [port2]);
  }

  /**
   * Makes sure the chunk holding entry `index` has been taken (its numbers attached to its
   * entries), waiting for the reader if it is behind. After a stall, takes nothing more.
   */
  upTo(index: number): void {
    if (index >= this.#entries.length) return;
    const chunk = Math.floor(index / READ_AHEAD_CHUNK);
    while (!this.#stalled && this.#next <= chunk) {
      const received = receiveMessageOnPort(this.#port);
      if (received) {
        this.#attach(received.message as ReadAheadChunk);
        continue;
      }
      const posted = Atomics.load(this.#posted, 0);
      // Posted but not yet visible on this side: look again in a moment.
      if (posted > this.#next) Atomics.wait(this.#posted, 0, posted, 1);
      else if (Atomics.wait(this.#posted, 0, posted, this.#stallMs) === "timed-out") {
        this.#stalled = true;
      }
    }
  }

  #attach({ chunk, parsed }: ReadAheadChunk): void {
    const start = chunk * READ_AHEAD_CHUNK;
    parsed.forEach((number, i) => {
      const entry = this.#entries[start + i];
      if (entry && number !== null) entry.parsed = number;
    });
    this.#next = chunk + 1;
  }

  /** True once the reader stalled: the run reads what is left itself. */
  get stalled(): boolean {
    return this.#stalled;
  }

  /** Done with the reader: chunks still coming are dropped. */
  close(): void {
    this.#port.close();
  }
}
