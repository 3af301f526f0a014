/**
 * How far each upload run is, for its progress bar (views/manage/_upload-form.eta): the form
 * carries a random progress id, the page asks /runs/{id}/progress while the upload is posted
 * (and, posted by htmx, names the id in a header so the page knows when to stop asking).
 * In memory: progress matters only while its request is running, on this one server.
 */
import type { JobKind } from "../../db/tables/jobs.js";
import type { RunPhase } from "./threads/run-messages.js";

export interface RunStatus {
  phase: RunPhase;
  /** Numbers read (reading) or run (running) so far. */
  done: number;
  /** All the file's numbers, once known (0 while reading). */
  total: number;
}

/** What the page's progress fragment follows: the run's status, and whether its post is open. */
export interface FollowedUpload {
  kind: JobKind;
  /** The run's own news, once it has any (null while the file is still arriving). */
  status: RunStatus | null;
  /** The post is still being answered; false once it was, however (a result, or refused). */
  open: boolean;
}

/** A progress id as the form makes it: letters, digits and dashes, 8–64 of them. */
export const PROGRESS_ID = /^[A-Za-z0-9-]{8,64}$/;

/** Forgotten this long after their last news, so abandoned ids do not pile up. */
const KEEP_MS = 10 * 60_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  status: RunStatus | null;
  /** Set when the page follows the upload (begin); a plain post only reports. */
  followed: { kind: JobKind; open: boolean } | null;
  at: number;
}

export class RunProgressBoard {
  #entries = new Map<string, Entry>();

  /** Ids are per user: nobody can read another user's progress by guessing its id. */
  #key = (userId: number, progressId: string) => `${userId}:${progressId}`;

  #update(userId: number, progressId: string, change: (entry: Entry) => Entry): void {
    const now = Date.now();
    const key = this.#key(userId, progressId);
    const entry = this.#entries.get(key) ?? { status: null, followed: null, at: now };
    this.#entries.set(key, { ...change(entry), at: now });
    if (this.#entries.size > 1_000) {
      for (const [key, entry] of this.#entries) {
        if (now - entry.at > KEEP_MS) this.#entries.delete(key);
      }
    }
    // A flood of posts cannot grow it without end: the oldest go first.
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= MAX_ENTRIES) break;
      this.#entries.delete(key);
    }
  }

  #entry(userId: number, progressId: string): Entry | null {
    const entry = this.#entries.get(this.#key(userId, progressId));
    return entry && Date.now() - entry.at <= KEEP_MS ? entry : null;
  }

  report(userId: number, progressId: string, status: RunStatus): void {
    this.#update(userId, progressId, (entry) => ({ ...entry, status: { ...status } }));
  }

  /** A post the page follows has arrived: news from any earlier try of the same form is gone. */
  begin(userId: number, progressId: string, kind: JobKind): void {
    this.#update(userId, progressId, (entry) => ({
      ...entry,
      status: null,
      followed: { kind, open: true },
    }));
  }

  /** That post has been answered: the page stops asking. */
  end(userId: number, progressId: string): void {
    if (!this.#entry(userId, progressId)?.followed) return;
    this.#update(userId, progressId, (entry) => ({
      ...entry,
      followed: entry.followed ? { ...entry.followed, open: false } : null,
    }));
  }

  read(userId: number, progressId: string): RunStatus | null {
    const status = this.#entry(userId, progressId)?.status;
    return status ? { ...status } : null;
  }

  follow(userId: number, progressId: string): FollowedUpload | null {
    const entry = this.#entry(userId, progressId);
    if (!entry?.followed) return null;
    return { kind: entry.followed.kind, status: entry.status, open: entry.followed.open };
  }
}
