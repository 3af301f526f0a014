/**
 * Counts attempts per key in a sliding window (e.g. sign-ins per account). In memory: the
 * portal runs as one process, and a restart forgetting the counts is harmless.
 */
export class AttemptLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Records an attempt; false when it is over the limit for this window. */
  hit(key: string, now = Date.now()): boolean {
    const since = now - this.windowMs;
    const recent = (this.attempts.get(key) ?? []).filter((at) => at > since);
    recent.push(now);
    this.attempts.set(key, recent);
    if (this.attempts.size > 10_000) this.prune(since);
    return recent.length <= this.max;
  }

  private prune(since: number): void {
    for (const [key, times] of this.attempts) {
      if (times.every((at) => at <= since)) this.attempts.delete(key);
    }
  }
}
