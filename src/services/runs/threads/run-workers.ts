/**
 * Runs in worker threads, both sides in this one module: on the main thread the pool
 * (RunWorkers), in each worker, loaded from this same file, the run itself (serveRuns, at the
 * end). The worker reads the uploaded file (upload-file.ts), then, once the main thread has
 * handed it the portal's writer lock, runs it (run-engine.ts, or postgres-run.ts) on its own
 * connection to the database (worker-resources.ts), while a thread of its own reads the
 * numbers (read-ahead.ts); what the two sides say is run-messages.ts. Reading 100,000 lines
 * and writing 300,000 rows cost seconds of CPU; none of it is on the event loop, so other
 * users' pages stay fast, and pages read the last committed state through the reader
 * connection while the run's transaction is open.
 */
import {
  isMainThread,
  type MessagePort,
  parentPort,
  type Worker,
  workerData,
} from "node:worker_threads";
import type { Database } from "../../../db/database.js";
import { tidyAfterRun } from "../../../db/sqlite/sqlite.js";
import { UnavailableError } from "../../../domain/errors.js";
import { executePostgresRun } from "../postgres-run.js";
import { executeRun } from "../run-engine.js";
import { needsReading, type RunEntry } from "../run-entries.js";
import type { RunPlan, RunSummary } from "../run-plan.js";
import { readUploadFile, UploadError } from "../upload-file.js";
import { ReadAhead } from "./read-ahead.js";
import type {
  RunInput,
  RunTarget,
  UploadProgress,
  WorkerReply,
  WorkerTask,
} from "./run-messages.js";
import { heapCaps } from "./thread-heap.js";
import { WorkerPool } from "./worker-pool.js";
import { WorkerResources } from "./worker-resources.js";

/**
 * The upload worker's heap caps (thread-heap.ts). The largest run there is, a full 8 MiB file
 * of long lines, fits in the old generation's with room to spare (tested).
 */
export const WORKER_HEAP = { youngMb: 16, oldMb: 96 };

/** Marks the worker threads that run uploads (checked at the end of this module). */
const WORKER_ROLE = "numberdesk-upload-run";

/**
 * The worker runs this very module (the end of it is the worker's side): run-workers.ts when
 * running from source (tests, under tap's TypeScript loader, which worker threads inherit),
 * run-workers.js in dist.
 */
const WORKER_URL = new URL(import.meta.url);

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
 * The runs' worker threads, seen from the main thread: a run is handed to a worker of the
 * pool (worker-pool.ts), which keeps its database connection while runs keep coming.
 */
export class RunWorkers {
  readonly #pool: WorkerPool;
  readonly #timeoutMs: number;
  #nextId = 1;

  constructor({ workers = 1, idleMs = 60_000, timeoutMs = 55_000 }: RunWorkersOptions = {}) {
    this.#pool = new WorkerPool(WORKER_URL, {
      size: workers,
      idleMs,
      workerData: { role: WORKER_ROLE },
      resourceLimits: heapCaps(WORKER_URL.href, WORKER_HEAP),
    });
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
    const worker = await this.#pool.take();
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
      this.#pool.giveBack(worker, healthy);
    }
  }

  /**
   * Starts a worker ahead of an upload (the Upload tab asks for it as it opens), so the run
   * does not wait for one to load.
   */
  warm(): void {
    this.#pool.warm();
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
  close(): Promise<void> {
    return this.#pool.close();
  }
}

/**
 * The worker's side: reads one uploaded file at a time (or takes a long typed list), hands
 * its numbers to its number reader (read-ahead.ts), waits for the main thread to hand it the
 * writer lock, then runs it on its own connection, taking the numbers as they are read.
 */
function serveRuns(port: MessagePort): void {
  const post = (reply: WorkerReply) => port.postMessage(reply);
  /** Runs waiting for the main thread's "go" (the writer lock is theirs). */
  const waiting = new Map<number, () => void>();
  const kept = new WorkerResources();

  port.on("message", async (task: WorkerTask) => {
    if (task.type === "go") {
      waiting.get(task.id)?.();
      return;
    }
    const { id, input } = task;
    try {
      let entries: RunEntry[];
      if ("entries" in input) {
        entries = input.entries;
      } else {
        const result = await readUploadFile(input.bytes, input.read, (done) =>
          post({ id, type: "progress", phase: "reading", done, total: 0 }),
        );
        if (!result.ok) {
          post({ id, type: "refused", statusCode: result.statusCode, message: result.message });
          return;
        }
        entries = result.entries;
      }
      const total = entries.length;
      const ahead = new ReadAhead(kept.numberReader, entries, task.plan.defaultRegion, (entry) =>
        needsReading(task.plan.kind, entry),
      );
      const go = new Promise<void>((resolve) => waiting.set(id, resolve));
      post({ id, type: "read", total });
      await go;
      waiting.delete(id);
      let summary: RunSummary;
      const { target } = task;
      const running = (done: number) =>
        post({ id, type: "progress", phase: "running", done, total });
      // SQLite: the writer lock is this run's now. PostgreSQL: once the run holds its numbers
      // (another change may hold some of them until it commits).
      if (target.kind === "sqlite") running(0);
      try {
        summary =
          target.kind === "sqlite"
            ? executeRun(kept.connectionTo(target.file), task.plan, entries, running, ahead)
            : await executePostgresRun(
                kept.serverAt(target.url),
                task.plan,
                entries,
                running,
                ahead,
                () => running(0),
              );
      } finally {
        ahead.close();
      }
      post({ id, type: "done", summary });
      // After the answer: the run is committed, this is housekeeping (see openBulkWriter).
      if (target.kind === "sqlite") tidyAfterRun(kept.connectionTo(target.file));
    } catch (error) {
      post({
        id,
        type: "failure",
        message: error instanceof Error ? error.message : String(error),
        unavailable: error instanceof UnavailableError,
      });
    }
  });
}

if (!isMainThread && parentPort && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  serveRuns(parentPort);
}
