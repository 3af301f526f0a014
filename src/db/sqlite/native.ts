/**
 * The better-sqlite3 build this Node.js can run.
 *
 * 12.x wraps its objects with Node's own ObjectWrap, and on Node 24 that aborts the whole process
 * when a statement is garbage-collected outside a JavaScript context, as a worker thread ends
 * (`Assertion failed: (env) != nullptr`, WiseLibs/better-sqlite3#1515, closed as not planned).
 * 13.x is built on Node-API, which fixes that, but it crashes in `new Database()` on Node 20 and
 * 22 (#1514; a segfault here too). So Node 24 and later load 13, installed beside 12 under the
 * alias `better-sqlite3-napi` (it ships prebuilt Node-API binaries: nothing to compile), and
 * older Node.js loads 12. Both have the same API. When Node 20 support ends, depend on 13 alone
 * and delete this file.
 */
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";

/** True where the Node-API build must be used: Node.js 24 and later. */
export const needsNodeApiBuild = (nodeVersion: string): boolean =>
  Number.parseInt(nodeVersion, 10) >= 24;

const require = createRequire(import.meta.url);

export const SqliteDatabase: typeof BetterSqlite3 = require(
  needsNodeApiBuild(process.versions.node) ? "better-sqlite3-napi" : "better-sqlite3",
);
