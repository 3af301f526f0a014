/**
 * The number reader behind ReadAhead (read-ahead.ts): reads a run's numbers with the one
 * validator, a chunk at a time and in order, skipping the chunks the run has claimed to read
 * itself; posts each chunk, then counts it on the shared array the run sleeps on. One run's
 * numbers at a time.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { parsePhoneE164 } from "../../../domain/phone-input.js";
import {
  CLAIMS,
  FREE,
  POSTED,
  READ_AHEAD_CHUNK,
  READER,
  READER_ROLE,
  type ReadAheadChunk,
  type ReadAheadTask,
} from "./read-ahead.js";

const parent = parentPort;
if (!isMainThread && parent && (workerData as { role?: string } | null)?.role === READER_ROLE) {
  parent.on("message", ({ numbers, defaultRegion, port, shared }: ReadAheadTask) => {
    const state = new Int32Array(shared);
    for (let chunk = 0; chunk * READ_AHEAD_CHUNK < numbers.length; chunk++) {
      if (Atomics.compareExchange(state, CLAIMS + chunk, FREE, READER) !== FREE) continue;
      const start = chunk * READ_AHEAD_CHUNK;
      const parsed = numbers
        .slice(start, start + READ_AHEAD_CHUNK)
        .map((number) => (number === null ? null : parsePhoneE164(number, defaultRegion)));
      port.postMessage({ chunk, parsed } satisfies ReadAheadChunk);
      Atomics.add(state, POSTED, 1);
      Atomics.notify(state, POSTED);
    }
    port.close();
  });
}
