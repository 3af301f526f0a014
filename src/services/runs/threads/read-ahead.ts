/**
 * Reading a run's numbers in a second thread while the run writes (issue 5's speed target).
 *
 * Reading 100,000 numbers with libphonenumber-js costs about 1 s of CPU, and writing them
 * about as much again; one after the other, an add upload took 3 s. The upload worker
 * (run-workers.ts) hands the numbers to its number reader (read-ahead-worker.ts) as soon as
 * the file is parsed, before it even waits for the writer lock, and the run then takes them
 * chunk by chunk as it goes.
 *
 * Each chunk is claimed, on a shared array, by whichever thread gets to it first: the reader
 * going forward from the first, or the run when it reaches a chunk the reader has not begun
 * (the reader then skips it, and the run reads those numbers itself, as EntryReader reads
 * any entry left unread). So neither thread ever idles while the other has work: on two
 * cores, shared with the portal's pages, the reader is sometimes the slower one.
 *
 * The run itself stays synchronous (one better-sqlite3 transaction cannot span an await), so
 * it takes chunks with receiveMessageOnPort, and when the reader is in the middle of the one
 * it needs it sleeps on a shared counter (Atomics.wait) that the reader bumps after posting
 * each chunk. Should the reader stall or die there, the run reads the rest itself: slower,
 * never wrong.
 */
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from "node:worker_threads";
import type { ParsedNumber, RunEntry } from "../run-entries.js";
import { heapCaps } from "./thread-heap.js";

/** Numbers per chunk: small enough that the run never waits long for the one it needs. */
export const READ_AHEAD_CHUNK = 2_000;

/** Marks the number reader thread (read-ahead-worker.ts checks it). */
export const READER_ROLE = "numberdesk-number-reader";

/** How long the run waits for a chunk the reader is reading, by default, before giving up. */
const STALL_MS = 5_000;

/**
 * The shared array: [POSTED] counts the chunks the reader has posted; [CLAIMS + k] says who
 * reads chunk k (FREE, READER or RUN).
 */
export const POSTED = 0;
export const CLAIMS = 1;
export const FREE = 0;
export const READER = 1;
const RUN = 2;

/** What the number reader is sent: the numbers to read (null: leave that entry unread). */
export interface ReadAheadTask {
  numbers: Array<string | null>;
  defaultRegion: string | null;
  port: MessagePort;
  /** Int32s, laid out as POSTED and CLAIMS say. */
  shared: SharedArrayBuffer;
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
  readonly #shared: Int32Array;
  readonly #entries: RunEntry[];
  readonly #stallMs: number;
  /** The next chunk the run needs. */
  #next = 0;
  /** Chunks posted by the reader and attached, beyond #next. */
  readonly #attached = new Set<number>();
  #stalled = false;

  /** Sends `reader` the numbers of the entries that `needsReading` picks. */
  constructor(
    reader: Worker,
    entries: RunEntry[],
    defaultRegion: string | null,
    needsReading: (entry: RunEntry) => boolean,
    stallMs = STALL_MS,
  ) {
    const { port1, port2 } = new MessageChannel();
    const chunks = Math.ceil(entries.length / READ_AHEAD_CHUNK);
    const shared = new SharedArrayBuffer((CLAIMS + chunks) * Int32Array.BYTES_PER_ELEMENT);
    this.#port = port1;
    this.#shared = new Int32Array(shared);
    this.#entries = entries;
    this.#stallMs = stallMs;
    const numbers = entries.map((entry) => (needsReading(entry) ? entry.number : null));
    const task: ReadAheadTask = { numbers, defaultRegion, port: port2, shared };
    reader.postMessage(task, [port2]);
  }

  /**
   * Makes sure the chunk holding entry `index` is settled before the run reaches it: read by
   * the reader (its numbers attached to its entries), or claimed for the run to read itself.
   */
  upTo(index: number): void {
    if (index >= this.#entries.length) return;
    const chunk = Math.floor(index / READ_AHEAD_CHUNK);
    while (this.#next <= chunk) {
      this.#takePosted();
      if (this.#attached.delete(this.#next) || this.#stalled || this.#claimForRun(this.#next)) {
        this.#next++;
        continue;
      }
      // The reader is reading this one: sleep until it posts again (or has just posted).
      const posted = Atomics.load(this.#shared, POSTED);
      this.#takePosted();
      if (this.#attached.has(this.#next)) continue;
      if (Atomics.wait(this.#shared, POSTED, posted, this.#stallMs) === "timed-out") {
        this.#stalled = true;
      }
    }
  }

  /** True once the reader stalled: the run reads what is left itself. */
  get stalled(): boolean {
    return this.#stalled;
  }

  /** Chunks the reader has posted so far. */
  get posted(): number {
    return Atomics.load(this.#shared, POSTED);
  }

  /** Chunks the run claimed to read itself. */
  get claimedByRun(): number {
    let count = 0;
    for (let i = CLAIMS; i < this.#shared.length; i++) if (this.#shared[i] === RUN) count++;
    return count;
  }

  /** Claims chunk k for the run unless the reader has; true when the run has it. */
  #claimForRun(chunk: number): boolean {
    const was = Atomics.compareExchange(this.#shared, CLAIMS + chunk, FREE, RUN);
    return was === FREE || was === RUN;
  }

  /** Attaches every chunk the reader has posted so far. */
  #takePosted(): void {
    for (let received = receiveMessageOnPort(this.#port); received; ) {
      const { chunk, parsed } = received.message as ReadAheadChunk;
      const start = chunk * READ_AHEAD_CHUNK;
      parsed.forEach((number, i) => {
        const entry = this.#entries[start + i];
        if (entry && number !== null) entry.parsed = number;
      });
      if (chunk >= this.#next) this.#attached.add(chunk);
      received = receiveMessageOnPort(this.#port);
    }
  }

  /** Done with the reader: chunks still coming are dropped, and it skips the rest. */
  close(): void {
    for (let k = this.#next; CLAIMS + k < this.#shared.length; k++) {
      Atomics.compareExchange(this.#shared, CLAIMS + k, FREE, RUN);
    }
    this.#port.close();
  }
}
