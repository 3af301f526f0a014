/**
 * The number reader behind ReadAhead (read-ahead.ts): reads a run's numbers with the one
 * validator, a chunk at a time, posting each chunk and then counting it on the shared counter
 * the run sleeps on. One run's numbers at a time, in order.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { parsePhoneE164 } from "../domain/phone-input.js";
import {
  READ_AHEAD_CHUNK,
  READER_ROLE,
  type ReadAheadChunk,
  type ReadAheadTask,
} from "./read-ahead.js";

const parent = parentPort;
if (!isMainThread && parent && (workerData as { role?: string } | null)?.role === READER_ROLE) {
  parent.on("message", ({ numbers, defaultRegion, port, posted }: ReadAheadTask) => {
    const count = new Int32Array(posted);
    for (let chunk = 0; chunk * READ_AHEAD_CHUNK < numbers.length; chunk++) {
      const start = chunk * READ_AHEAD_CHUNK;
      const parsed = numbers
        .slice(start, start + READ_AHEAD_CHUNK)
        .map((number) => (number === null ? null : parsePhoneE164(number, defaultRegion)));
      port.postMessage({ chunk, parsed } satisfies ReadAheadChunk);
      Atomics.add(count, 0, 1);
      Atomics.notify(count, 0);
    }
    port.close();
  });
}
