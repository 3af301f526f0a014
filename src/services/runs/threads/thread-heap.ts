/**
 * Heap caps for the portal's worker threads (the upload worker and its number reader), which
 * keep the portal within its memory budget: 400 MiB at its peak during a 100,000-number
 * upload (issue 5). A run makes garbage fast; left to itself, V8 grew a worker's young
 * generation to 48 MiB and let 80 MiB of dead objects pile up in the old one before
 * collecting (120 MiB of heap for 30 MiB of live data). Capped, it collects sooner, at the
 * cost of a few quick collections.
 */
import type { ResourceLimits } from "node:worker_threads";

/**
 * Under the tests' TypeScript loader a thread also compiles every module it loads, which
 * takes about 50 MiB of its own; that much more is allowed there, so the caps themselves are
 * what the compiled portal runs with (and test/services/run-workers.test.ts runs the largest
 * file there is through the compiled threads).
 */
const LOADER_ALLOWANCE_MB = 64;

/** The caps for a thread whose module is at `moduleUrl` (.ts under the loader, .js in dist). */
export function heapCaps(
  moduleUrl: string,
  caps: { youngMb: number; oldMb: number },
): ResourceLimits {
  const underLoader = moduleUrl.endsWith(".ts");
  return {
    maxYoungGenerationSizeMb: caps.youngMb,
    maxOldGenerationSizeMb: caps.oldMb + (underLoader ? LOADER_ALLOWANCE_MB : 0),
  };
}
