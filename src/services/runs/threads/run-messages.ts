/**
 * What the main thread and a run worker (run-workers.ts) say to each other: plain data, as
 * it crosses threads. The main thread asks for a run; the worker reads the file, says so and
 * waits for "go" (the writer lock), then writes and answers with the job's counts.
 */
import type { RunEntry } from "../run-entries.js";
import type { RunPlan, RunSummary } from "../run-plan.js";
import type { ReadOptions } from "../upload-file.js";

/** Where a run is, for the progress bar: reading the file, waiting its turn, writing. */
export type RunPhase = "reading" | "waiting" | "running" | "done";
export type UploadProgress = (phase: RunPhase, done: number, total: number) => void;

/**
 * The database a worker runs on, with a connection of its own: the SQLite file, or the
 * PostgreSQL server (where no writer lock is needed: rows are locked as the run takes them).
 */
export type RunTarget = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

/** What a worker runs: an uploaded file it reads first, or entries already split (typed). */
export type RunInput = { bytes: Uint8Array; read: ReadOptions } | { entries: RunEntry[] };

/** What the main thread sends the worker, and what comes back. */
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
