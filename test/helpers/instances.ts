import type { FastifyInstance } from "fastify";
import type { Test } from "tap";
import { Agent } from "./agent.js";
import { buildTestApp } from "./app.js";

/**
 * Two portal instances on one database, as behind a proxy (issue 14): each its own app,
 * its own connections (pool, or SQLite handles on the same file) and its own in-memory
 * caches. `a.admin` is signed in on A. Closed when the test ends.
 */
export async function buildTwoInstances(t: Test) {
  const a = await buildTestApp();
  const b = await buildTestApp({ databaseUrl: a.databaseUrl }, undefined, { signIn: false });
  t.teardown(async () => {
    await b.close();
    await a.close();
  });
  return { a, b };
}

/** The same browser (cookies and page token) sending its next requests to another instance. */
export function sameBrowserOn(agent: Agent, app: FastifyInstance): Agent {
  const moved = new Agent(app);
  for (const [name, value] of agent.cookies) moved.cookies.set(name, value);
  moved.csrfToken = agent.csrfToken;
  return moved;
}
