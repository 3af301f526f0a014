/**
 * The worker thread behind UploadReader (upload-reader.ts): reads one upload file at a time, off the
 * event loop, and answers with its entries, numbers already parsed, packed as columns.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { packEntries, transferablesOf, WORKER_ROLE, type WorkerTask } from "./upload-reader.js";
import { readUploadFile } from "./uploads.js";

const port = parentPort;
if (!isMainThread && port && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  port.on("message", async ({ id, bytes, options }: WorkerTask) => {
    try {
      const result = await readUploadFile(bytes, options);
      if (!result.ok) {
        port.postMessage({
          id,
          refused: { statusCode: result.statusCode, message: result.message },
        });
        return;
      }
      const entries = packEntries(result.entries);
      port.postMessage({ id, entries }, transferablesOf(entries));
    } catch (error) {
      port.postMessage({ id, failure: error instanceof Error ? error.message : String(error) });
    }
  });
}
