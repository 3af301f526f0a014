import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { RateCounter } from "../services/ops/rate-limits.js";

/**
 * @fastify/rate-limit's store (its `store` option takes a class), counting through `counter`:
 * the database's shared counter, so limits declared with the plugin (route `rateLimit`
 * configs, `app.createRateLimit`) are counted across instances. Every limiter's keyGenerator
 * names the limiter in its keys, so one store serves them all and `child` is itself.
 */
export function rateLimitStore(counter: RateCounter): FastifyRateLimitStoreCtor {
  return class DatabaseStore implements FastifyRateLimitStore {
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
