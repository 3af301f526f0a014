/** A rate limit's current window for one key (services/ops/rate-limits.ts). */
export interface RateLimitTable {
  /** A hash of the limiter's key: fixed length, whatever the key holds. */
  key: string;
  /** Hits counted in the window, refused ones included. */
  hits: number;
  /** When the window ends, in milliseconds since the epoch. */
  resets_at: number;
}
