/**
 * The worker thread behind RunWorkers (run-workers.ts): reads one uploaded file at a time (or
 * takes a long typed list), hands its numbers to its number reader (read-ahead.ts), waits for
 * the main thread to hand it the writer lock, then runs it on its own connection, taking the
 * numbers as they are read.
 */

import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { createDb, type Database } from "../../../db/database.js";
import { openBulkWriter, type SqliteHandle, tidyAfterRun } from "../../../db/sqlite/sqlite.js";
import { UnavailableError } from "../../../domain/errors.js";
import { executePostgresRun } from "../postgres-run.js";
import { executeRun } from "../run-engine.js";
import { needsReading, type RunEntry } from "../run-entries.js";
import type { RunSummary } from "../run-plan.js";
import { readUploadFile } from "../upload-file.js";
import { ReadAhead, startNumberReader } from "./read-ahead.js";
import { WORKER_ROLE, type WorkerReply, type WorkerTask } from "./run-workers.js";

const port = parentPort;
if (!isMainThread && port && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  const post = (reply: WorkerReply) => port.postMessage(reply);
  /** Runs waiting for the main thread's "go" (the writer lock is theirs). */
  const waiting = new Map<number, () => void>();
  /** One connection for the worker's life: opening one reads the schema and runs optimize. */
  let connection: { file: string; handle: SqliteHandle } | null = null;
  /**
   * Reads each run's numbers while the run writes (read-ahead.ts); started with the worker,
   * and again should it die (a run it leaves mid-way reads the rest of its numbers itself).
   */
  let numberReader = startNumberReader();
  const replaceIfDead = (reader: typeof numberReader): void => {
    reader.once("exit", () => {
      numberReader = startNumberReader();
      replaceIfDead(numberReader);
    });
  };
  replaceIfDead(numberReader);
  /** On PostgreSQL: a pool of the worker's own, for its life, as with SQLite's file. */
  let server: { url: string; database: Database } | null = null;
  const serverAt = (url: string) => {
    if (server?.url !== url) {
      void server?.database.close();
      server = { url, database: createDb(url) };
    }
    return server.database.db;
  };
  const connectionTo = (file: string) => {
    if (connection?.file !== file) {
      connection?.handle.close();
      connection = { file, handle: openBulkWriter(file) };
    }
    return connection.handle;
  };

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
      const ahead = new ReadAhead(numberReader, entries, task.plan.defaultRegion, (entry) =>
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
            ? executeRun(connectionTo(target.file), task.plan, entries, running, ahead)
            : await executePostgresRun(
                serverAt(target.url),
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
      if (target.kind === "sqlite") tidyAfterRun(connectionTo(target.file));
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
