import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { codeAt } from "../../src/services/people/two-factor.js";
import { Agent } from "./agent.js";
import { form } from "./app.js";

/** The secret an enrolment page shows in its data-secret element. */
export const secretOf = (html: string): string => /data-secret="([A-Z2-7]+)"/.exec(html)?.[1] ?? "";

/** The recovery codes a confirmed enrolment shows, once. */
export const recoveryCodesOf = (html: string): string[] =>
  [...html.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((m) => m[1] ?? "");

/**
 * A code for the next 30-second step: always later than the step enrolment (or any code of
 * the current step) used, and within the ±1 step accepted, wherever the clock is in its step.
 */
export const nextCode = (secret: string): string => codeAt(secret, Date.now() + 30_000);

/** Enrols the agent's user through the pages, as a person with an app would. */
export async function enrolThroughPages(
  agent: Agent,
): Promise<{ secret: string; codes: string[] }> {
  const page = await agent.inject({ url: "/account/two-factor" });
  const secret = secretOf(page.body);
  if (!secret) throw new Error(`no secret on the enrolment page (${page.statusCode})`);
  const confirmed = await agent.inject({
    method: "POST",
    url: "/account/two-factor",
    ...form({ code: codeAt(secret, Date.now()) }),
  });
  const codes = recoveryCodesOf(confirmed.body);
  if (confirmed.statusCode !== 200 || codes.length !== 10) {
    throw new Error(`enrolment failed: ${confirmed.statusCode}`);
  }
  return { secret, codes };
}

/** The password step of a sign-in, from a fresh browser: the agent and the answer. */
export async function passwordStep(
  app: FastifyInstance,
  email: string,
  password: string,
  extra: { next?: string; remoteAddress?: string } = {},
): Promise<{ agent: Agent; response: LightMyRequestResponse }> {
  const agent = new Agent(app);
  const { remoteAddress } = extra;
  agent.takeCsrfFrom((await agent.inject({ url: "/login", remoteAddress })).body);
  const response = await agent.inject({
    method: "POST",
    url: "/login",
    remoteAddress,
    ...form({ email, password, next: extra.next ?? "", _csrf: agent.csrfToken }),
  });
  return { agent, response };
}

/** Posts a code to the code step. */
export const postCode = (agent: Agent, code: string, headers: Record<string, string> = {}) =>
  agent.inject({ method: "POST", url: "/login/code", ...form({ code }, headers) });

export const hasSession = (agent: Agent): boolean =>
  [...agent.cookies.keys()].some((name) => name.endsWith("nd_session"));
