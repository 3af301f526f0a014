/**
 * Upload runs in worker threads (run-worker.ts): the worker reads the file (uploads.ts), then,
 * once this side has handed it the portal's writer lock, runs it (run-engine.ts) on its own
 * connection to the database, while a thread of its own reads the numbers (read-ahead.ts). Reading 100,000 lines and writing 300,000 rows cost seconds of
 * CPU; none of it is on the event loop, so other users' pages stay fast, and pages read the
 * last committed state through the reader connection while the run's transaction is open.
 */
import { Worker } from "node:worker_threads";
import type { Database } from "../../../db/database.js";
import { UnavailableError } from "../../../domain/errors.js";
import type { RunEntry } from "../run-entries.js";
import type { RunPlan, RunSummary } from "../run-plan.js";
import { type ReadOptions, UploadError } from "../upload-file.js";
import { heapCaps } from "./thread-heap.js";

/** Where a run is, for the progress bar: reading the file, waiting its turn, writing. */
export type RunPhase = "reading" | "waiting" | "running" | "done";
export type UploadProgress = (phase: RunPhase, done: number, total: number) => void;

/**
 * The database a worker runs on, with a connection of its own: the SQLite file, or the
 * PostgreSQL server (where no writer lock is needed: rows are locked as the run takes them).
 */
type RunTarget = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

/** What this side sends the worker, and what comes back. */
/** What a worker runs: an uploaded file it reads first, or entries already split (typed). */
export type RunInput = { bytes: Uint8Array; read: ReadOptions } | { entries: RunEntry[] };

export type WorkerTask =
  | { id: number; type: "run"; input: RunInput; plan: RunPlan; target: RunTarget }
  | { id: number; type: "go" };
export type WorkerReply =
  | { id: number; type: "progress"; phase: RunPhase; done: number; total: number }
  /** The file is read: the worker waits for "go" (the writer lock) before writing. */
  | { id: number; type: "read"; total: number }
  | { id: number; type: "refused"; statusCode: 400 | 422; message: string }
  | { id: number; type: "done"; summary: RunSummary }
  /** `unavailable`: nothing was changed and trying again may work (UnavailableError). */
  | { id: number; type: "failure"; message: string; unavailable?: boolean };

/**
 * The upload worker's heap caps (thread-heap.ts). The largest run there is, a full 8 MiB file
 * of long lines, fits in the old generation's with room to spare (tested).
 */
export const WORKER_HEAP = { youngMb: 16, oldMb: 96 };

/** Marks the worker threads that run uploads (run-worker.ts checks it). */
export const WORKER_ROLE = "numberdesk-upload-run";

/**
 * The worker's file next to this one: run-worker.ts when running from source (tests, under
 * tap's TypeScript loader, which worker threads inherit), run-worker.js in dist.
 */
const WORKER_URL = new URL(
  import.meta.url.endsWith(".ts") ? "./run-worker.ts" : "./run-worker.js",
  import.meta.url,
);

export interface RunWorkersOptions {
  /**
   * Workers at once; more uploads wait their turn. One by default: runs write one at a time
   * anyway (the writer lock), and each worker holds its file, its entries and a 64 MiB page
   * cache (about 150 MiB at its peak), so one keeps the portal's memory bounded.
   */
  workers?: number;
  /** An idle worker ends after this long; the next upload starts a new one. */
  idleMs?: number;
  /** A run not finished by then fails, and its worker is ended (its transaction rolls back). */
  timeoutMs?: number;
}

/**
 * A small pool of worker threads running uploads. Workers start on first use, are reused while
 * uploads keep coming (with their database connection), and never keep the process alive.
 */
export class RunWorkers {
  readonly #size: number;
  readonly #idleMs: number;
  readonly #timeoutMs: number;
  #idle: Array<{ worker: Worker; timer: NodeJS.Timeout }> = [];
  #busy = new Set<Worker>();
  #waiting: Array<() => void> = [];
  #nextId = 1;
  #closed = false;

  constructor({ workers = 1, idleMs = 60_000, timeoutMs = 55_000 }: RunWorkersOptions = {}) {
    this.#size = Math.max(1, workers);
    this.#idleMs = idleMs;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Reads and runs one uploaded file (or runs typed entries); an UploadError, with nothing
   * written, when the file cannot be taken. The worker writes only while this side holds
   * `database.writerLock`.
   */
  async run(
    database: Database,
    input: RunInput,
    plan: RunPlan,
    progress: UploadProgress = () => {},
  ): Promise<RunSummary> {
    while (!this.#closed && this.#busy.size >= this.#size) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (this.#closed) throw new Error("upload workers closed");
    const idle = this.#idle.pop();
    if (idle) clearTimeout(idle.timer);
    const worker = idle?.worker ?? this.#spawn();
    this.#busy.add(worker);
    let healthy = false;
    try {
      const task = { id: this.#nextId++, type: "run" as const, input, plan };
      const target: RunTarget =
        database.kind === "sqlite"
          ? { kind: "sqlite", file: database.handle.name }
          : { kind: "postgres", url: database.url };
      const summary = await this.#ask(worker, { ...task, target }, database, progress);
      healthy = true;
      return summary;
    } catch (error) {
      healthy = error instanceof UploadError;
      throw error;
    } finally {
      this.#busy.delete(worker);
      if (healthy && !this.#closed) this.#park(worker);
      else void worker.terminate();
      this.#waiting.shift()?.();
    }
  }

  /**
   * Starts a worker ahead of an upload (the Upload tab asks for it as it opens), so the run
   * does not wait for one to load. Idle, it ends after idleMs like any other.
   */
  warm(): void {
    if (this.#closed || this.#idle.length > 0 || this.#busy.size > 0) return;
    this.#park(this.#spawn());
  }

  #spawn(): Worker {
    const worker = new Worker(WORKER_URL, {
      workerData: { role: WORKER_ROLE },
      resourceLimits: heapCaps(WORKER_URL.href, WORKER_HEAP),
    });
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

  #ask(
    worker: Worker,
    task: Extract<WorkerTask, { type: "run" }>,
    database: Database,
    progress: UploadProgress,
  ): Promise<RunSummary> {
    return new Promise((resolve, reject) => {
      let locked = false;
      const unlock = () => {
        if (!locked) return;
        locked = false;
        if (database.kind === "sqlite") database.writerLock.release();
      };
      const stopListening = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      const fail = (error: Error) => {
        stopListening();
        // A worker stopped mid-run takes its connection with it and SQLite rolls the run back;
        // the lock is handed on only once that connection is gone.
        void worker.terminate().finally(unlock);
        reject(error);
      };
      const onMessage = (reply: WorkerReply) => {
        if (reply.id !== task.id) return;
        if (reply.type === "progress") return progress(reply.phase, reply.done, reply.total);
        if (reply.type === "read") {
          progress("waiting", 0, reply.total);
          const turn =
            database.kind === "sqlite" ? database.writerLock.acquire() : Promise.resolve();
          void turn.then(() => {
            locked = true;
            if (settled) {
              unlock();
              return;
            }
            worker.postMessage({ id: task.id, type: "go" } satisfies WorkerTask);
          });
          return;
        }
        settled = true;
        stopListening();
        unlock();
        if (reply.type === "done") {
          progress("done", reply.summary.total, reply.summary.total);
          resolve(reply.summary);
        } else if (reply.type === "refused") {
          reject(new UploadError(reply.statusCode, reply.message));
        } else if (reply.unavailable) {
          reject(new UnavailableError(reply.message));
        } else {
          reject(new Error(`upload worker: ${reply.message}`));
        }
      };
      let settled = false;
      const onError = (error: Error) => {
        settled = true;
        fail(error);
      };
      const onExit = (code: number) => {
        settled = true;
        fail(new Error(`upload worker exited with code ${code}`));
      };
      // Also what keeps a process alive while a file is run: the worker itself is unref'd.
      const timer = setTimeout(() => {
        settled = true;
        fail(new Error(`upload run took longer than ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      // A file that owns its memory (any but the smallest) is handed over, not copied: the
      // worker needs it, this side does not, and it can be 8 MiB.
      const bytes = "bytes" in task.input ? task.input.bytes : null;
      const owned = bytes && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      worker.postMessage(task satisfies WorkerTask, owned ? [bytes.buffer as ArrayBuffer] : []);
    });
  }

  /** Ends every worker; uploads still waiting fail, runs in progress roll back. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of this.#waiting.splice(0)) wake();
    const workers = [...this.#idle.map((entry) => entry.worker), ...this.#busy];
    for (const entry of this.#idle) clearTimeout(entry.timer);
    this.#idle = [];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
