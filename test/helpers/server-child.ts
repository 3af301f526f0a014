/**
 * A portal in a child process, for tests that must kill it hard (kill -9). Run with the
 * same TypeScript loader as the test (fork with process.execArgv); prints "listening PORT".
 */
import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEST_HASHING } from "./app.js";

const databaseUrl = process.argv[2] ?? "";
const app = await buildApp({
  config: {
    ...loadConfig({}),
    databaseUrl,
    adminEmail: ADMIN_EMAIL,
    adminPassword: ADMIN_PASSWORD,
    passwordHashing: TEST_HASHING,
    logLevel: "silent",
  },
  logger: false,
});
await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
process.send?.(`listening ${typeof address === "object" && address ? address.port : 0}`);
