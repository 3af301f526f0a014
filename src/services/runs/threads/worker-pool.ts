/**
 * A small pool of worker threads, all running one module (run-workers.ts gives it the runs'
 * module and says what they do): which worker takes the next task, and when one starts or
 * ends. Workers start on first use, are reused while tasks keep coming (with what they keep:
 * their database connection), end when idle, and never keep the process alive.
 */
import { type ResourceLimits, Worker } from "node:worker_threads";

export interface WorkerPoolOptions {
  /** Workers at once; more tasks wait their turn. */
  size: number;
  /** An idle worker ends after this long; the next task starts a new one. */
  idleMs: number;
  /** Tells the module it runs as one of this pool's workers. */
  workerData: unknown;
  resourceLimits: ResourceLimits;
}

export class WorkerPool {
  readonly #url: URL;
  readonly #options: WorkerPoolOptions;
  #idle: Array<{ worker: Worker; timer: NodeJS.Timeout }> = [];
  #busy = new Set<Worker>();
  #waiting: Array<() => void> = [];
  #closed = false;

  constructor(url: URL, options: WorkerPoolOptions) {
    this.#url = url;
    this.#options = { ...options, size: Math.max(1, options.size) };
  }

  /** A worker for one task, once one is free (an idle one, or a new one); give it back. */
  async take(): Promise<Worker> {
    while (!this.#closed && this.#busy.size >= this.#options.size) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (this.#closed) throw new Error("upload workers closed");
    const idle = this.#idle.pop();
    if (idle) clearTimeout(idle.timer);
    const worker = idle?.worker ?? this.#spawn();
    this.#busy.add(worker);
    return worker;
  }

  /** A worker's task is over: kept for the next one if `healthy`, else ended. */
  giveBack(worker: Worker, healthy: boolean): void {
    this.#busy.delete(worker);
    if (healthy && !this.#closed) this.#park(worker);
    else void worker.terminate();
    this.#waiting.shift()?.();
  }

  /**
   * Starts a worker ahead of a task, so the task does not wait for one to load. Idle, it ends
   * after idleMs like any other.
   */
  warm(): void {
    if (this.#closed || this.#idle.length > 0 || this.#busy.size > 0) return;
    this.#park(this.#spawn());
  }

  #spawn(): Worker {
    const { workerData, resourceLimits } = this.#options;
    const worker = new Worker(this.#url, { workerData, resourceLimits });
    worker.unref();
    // An idle worker that dies (out of memory, killed) is simply dropped.
    worker.on("error", () => {});
    worker.on("exit", () => {
      this.#idle = this.#idle.filter((entry) => entry.worker !== worker);
    });
    return worker;
  }

  #park(worker: Worker): void {
    const timer = setTimeout(() => {
      this.#idle = this.#idle.filter((entry) => entry.worker !== worker);
      void worker.terminate();
    }, this.#options.idleMs);
    timer.unref();
    this.#idle.push({ worker, timer });
  }

  /** Ends every worker; tasks still waiting for one fail, tasks in progress are cut off. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of this.#waiting.splice(0)) wake();
    const workers = [...this.#idle.map((entry) => entry.worker), ...this.#busy];
    for (const entry of this.#idle) clearTimeout(entry.timer);
    this.#idle = [];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
