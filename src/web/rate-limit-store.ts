import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { RateCounter } from "../services/ops/rate-limits.js";

/**
 * @fastify/rate-limit's store (its `store` option takes a class), counting through `counter`
 * (app.rateCounter: on PostgreSQL the database, shared by every instance), so the limits
 * declared with the plugin (route `rateLimit` configs, `app.createRateLimit`) are counted
 * there. Every limiter's keyGenerator names the limiter in its keys, so one store serves
 * them all and `child` is itself.
 */
export function rateLimitStore(counter: RateCounter): FastifyRateLimitStoreCtor {
  return class CounterStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      const now = Date.now();
      counter.hit(key, timeWindow, now).then(
        ({ hits, resetsAt }) => callback(null, { current: hits, ttl: resetsAt - now }),
        (error: Error) => callback(error),
      );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  };
}
