/**
 * How far each upload run is, for its progress bar (views/manage/_upload-form.eta): the form
 * carries a random progress id, the page asks /runs/{id}/progress while the upload is posted.
 * In memory: progress matters only while its request is running, on this one server.
 */
import type { RunPhase } from "./threads/run-workers.js";

export interface RunStatus {
  phase: RunPhase;
  /** Numbers read (reading) or run (running) so far. */
  done: number;
  /** All the file's numbers, once known (0 while reading). */
  total: number;
}

/** A progress id as the form makes it: letters, digits and dashes, 8–64 of them. */
export const PROGRESS_ID = /^[A-Za-z0-9-]{8,64}$/;

/** Forgotten this long after their last news, so abandoned ids do not pile up. */
const KEEP_MS = 10 * 60_000;

export class RunProgressBoard {
  #entries = new Map<string, RunStatus & { at: number }>();

  /** Ids are per user: nobody can read another user's progress by guessing its id. */
  #key = (userId: number, progressId: string) => `${userId}:${progressId}`;

  report(userId: number, progressId: string, status: RunStatus): void {
    const now = Date.now();
    this.#entries.set(this.#key(userId, progressId), { ...status, at: now });
    if (this.#entries.size > 1_000) {
      for (const [key, entry] of this.#entries) {
        if (now - entry.at > KEEP_MS) this.#entries.delete(key);
      }
    }
  }

  read(userId: number, progressId: string): RunStatus | null {
    const entry = this.#entries.get(this.#key(userId, progressId));
    if (!entry || Date.now() - entry.at > KEEP_MS) return null;
    return { phase: entry.phase, done: entry.done, total: entry.total };
  }
}
