/**
 * Rate limits (hardening.md: sign-in per address and per account, uploads per user, API
 * requests per token), counted in fixed windows that start at a key's first hit, as
 * @fastify/rate-limit's own store counts them.
 *
 * SharedRateCounter counts in the database, so every instance on PostgreSQL shares the counts
 * (issue 14): a guesser spreading attempts over instances behind the proxy gains nothing.
 * MemoryRateCounter counts in this process: SQLite's single box, where a counted hit must not
 * wait for the file's one write lock (web/plugins/db.ts chooses).
 */
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { countHit, deleteEndedWindows } from "../../queries/rate-limits.js";

/** One hit's answer: hits in the window so far (this one included) and when it ends. */
export interface HitCount {
  hits: number;
  /** Milliseconds since the epoch. */
  resetsAt: number;
}

export interface RateCounter {
  hit(key: string, windowMs: number, now?: number): Promise<HitCount>;
}

/** Ended windows are swept at most this often per instance: one cheap delete a minute. */
const SWEEP_EVERY_MS = 60_000;

export class SharedRateCounter implements RateCounter {
  #nextSweep = 0;

  constructor(private readonly db: Kysely<DB>) {}

  async hit(key: string, windowMs: number, now = Date.now()): Promise<HitCount> {
    // Hashed: keys hold addresses and typed emails (any length, any character, NUL included,
    // which PostgreSQL refuses in text), and the table need not hold either in clear.
    const hashed = createHash("sha256").update(key).digest("base64url");
    const row = await countHit(this.db, hashed, windowMs, now);
    if (now >= this.#nextSweep) {
      this.#nextSweep = now + SWEEP_EVERY_MS;
      await deleteEndedWindows(this.db, now);
    }
    return { hits: row.hits, resetsAt: row.resets_at };
  }
}

/** Keys kept before ended windows are swept (a flood of keys cannot grow it for ever). */
const MEMORY_KEYS = 10_000;

export class MemoryRateCounter implements RateCounter {
  readonly #windows = new Map<string, HitCount>();

  async hit(key: string, windowMs: number, now = Date.now()): Promise<HitCount> {
    let window = this.#windows.get(key);
    if (window === undefined || window.resetsAt <= now) {
      if (this.#windows.size >= MEMORY_KEYS) this.#sweep(now);
      window = { hits: 0, resetsAt: now + windowMs };
      this.#windows.set(key, window);
    }
    window.hits += 1;
    return { ...window };
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) {
      if (window.resetsAt <= now) this.#windows.delete(key);
    }
  }
}
