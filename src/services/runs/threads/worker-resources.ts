/**
 * What a run worker (run-workers.ts) keeps for its life, so that no run pays to open it: its
 * own connection to the database (opening a SQLite one reads the schema and runs optimize; on
 * PostgreSQL a pool of its own), and its number reader (read-ahead.ts), started with the
 * worker and again should it die (a run it leaves mid-way reads the rest of its numbers
 * itself).
 */
import type { Worker } from "node:worker_threads";
import { createDb, type Database } from "../../../db/database.js";
import { openBulkWriter, type SqliteHandle } from "../../../db/sqlite/sqlite.js";
import { startNumberReader } from "./read-ahead.js";

export class WorkerResources {
  #connection: { file: string; handle: SqliteHandle } | null = null;
  #server: { url: string; database: Database } | null = null;
  #numberReader: Worker;

  constructor() {
    this.#numberReader = startNumberReader();
    this.#replaceIfDead(this.#numberReader);
  }

  /** The number reader now running. */
  get numberReader(): Worker {
    return this.#numberReader;
  }

  #replaceIfDead(reader: Worker): void {
    reader.once("exit", () => {
      this.#numberReader = startNumberReader();
      this.#replaceIfDead(this.#numberReader);
    });
  }

  /** The SQLite file's bulk writer (see openBulkWriter), one for the worker's life. */
  connectionTo(file: string): SqliteHandle {
    if (this.#connection?.file !== file) {
      this.#connection?.handle.close();
      this.#connection = { file, handle: openBulkWriter(file) };
    }
    return this.#connection.handle;
  }

  /** On PostgreSQL: a pool of the worker's own, for its life, as with SQLite's file. */
  serverAt(url: string): Database["db"] {
    if (this.#server?.url !== url) {
      void this.#server?.database.close();
      this.#server = { url, database: createDb(url) };
    }
    return this.#server.database.db;
  }
}
