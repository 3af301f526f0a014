/**
 * DATABASE_URL picks the database: a path or `file:` is SQLite as before, `postgres://` or
 * `postgresql://` is PostgreSQL, any other scheme stops the start with a clear message
 * (issue 14: `postgres:` used to become a SQLite file in a new folder named `postgres:`).
 */
import { fork } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { ConfigError, loadConfig } from "../src/config.js";
import { parseDatabaseUrl } from "../src/db/database-url.js";

t.test("a path, file: and the default are SQLite files, as before", async (t) => {
  t.same(parseDatabaseUrl("./data/numberdesk.db"), {
    kind: "sqlite",
    file: "./data/numberdesk.db",
  });
  t.same(parseDatabaseUrl("/var/lib/nd.db"), { kind: "sqlite", file: "/var/lib/nd.db" });
  t.same(parseDatabaseUrl("file:/tmp/x.db"), { kind: "sqlite", file: "/tmp/x.db" });
  t.same(parseDatabaseUrl(":memory:"), { kind: "sqlite", file: ":memory:" });
  t.equal(loadConfig({}).databaseUrl, "./data/numberdesk.db");
});

t.test("postgres:// and postgresql:// are PostgreSQL", async (t) => {
  for (const url of [
    "postgres://postgres@127.0.0.1:5432/numberdesk",
    "postgresql://nd:secret@db.internal/numberdesk?sslmode=require",
    "POSTGRES://nd@localhost/nd",
  ]) {
    t.same(parseDatabaseUrl(url), { kind: "postgres", url }, url);
    t.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
  }
});

t.test("any other scheme, or an empty value, is a configuration error", async (t) => {
  for (const url of ["mysql://root@localhost/nd", "sqlite:///tmp/x.db", "postgress://x@y/z", ""]) {
    let thrown: unknown = null;
    try {
      loadConfig({ DATABASE_URL: url });
    } catch (error) {
      thrown = error;
    }
    t.type(thrown, ConfigError, JSON.stringify(url));
  }
  t.throws(() => loadConfig({ DATABASE_URL: "mysql://root@localhost/nd" }), {
    message: /scheme "mysql:" is not supported/,
  });
  t.throws(() => loadConfig({ DATABASE_URL: "postgres://nd:hunter2@[bad/nd" }), {
    message: /not a valid PostgreSQL URL: "postgres:\/\/nd:\*\*\*@\[bad\/nd"/,
  });
});

t.test("the real start stops with the message, exit 2, and creates nothing", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-config-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const server = fileURLToPath(new URL("../src/server.ts", import.meta.url));
  const child = fork(server, [], {
    cwd: dir,
    execArgv: process.execArgv,
    env: { ...process.env, PORT: "0", DATABASE_URL: "mysql://root@127.0.0.1/numberdesk" },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise((resolve) => child.once("exit", resolve));
  t.equal(code, 2);
  t.match(stderr, /Configuration error: DATABASE_URL scheme "mysql:" is not supported/);
  t.notOk(existsSync(join(dir, "mysql:")), "no folder named after the scheme");
  t.notOk(existsSync(join(dir, "data")), "no SQLite file either");
});
