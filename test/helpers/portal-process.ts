/**
 * The portal in a child process, driven over HTTP like a browser: for tests where another
 * process (a backup, a signal) must meet a server that is really running. Same approach as
 * the crash test: fork with the test's TypeScript loader.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "./app.js";

/** test/helpers/server-child.ts: the app on DATABASE, cheap hashing, silent. */
const SERVER_CHILD = fileURLToPath(new URL("./server-child.ts", import.meta.url));

export interface Portal {
  child: ChildProcess;
  base: string;
  port: number;
}

/** Forks test/helpers/server-child.ts on `databaseUrl`; resolves once it listens. */
export function startPortal(databaseUrl: string): Promise<Portal> {
  const child = fork(SERVER_CHILD, [databaseUrl], { execArgv: process.execArgv, stdio: "ignore" });
  return new Promise((resolve, reject) => {
    child.once("message", (message) => {
      const port = Number(/listening (\d+)/.exec(String(message))?.[1]);
      if (port) resolve({ child, base: `http://127.0.0.1:${port}`, port });
      else reject(new Error(`unexpected: ${String(message)}`));
    });
    child.once("exit", (code) => reject(new Error(`server exited early (${code})`)));
  });
}

export interface Session {
  cookie: string;
  csrf: string;
}

/** Signs in through the real form; returns the Cookie header and the CSRF token for posts. */
export async function signIn(
  base: string,
  email = ADMIN_EMAIL,
  password = ADMIN_PASSWORD,
): Promise<Session> {
  const login = await fetch(`${base}/login`);
  const jar = login.headers.getSetCookie().map((c) => c.split(";")[0]);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())?.[1] ?? "";
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ email, password, _csrf: csrf }),
  });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  for (const c of res.headers.getSetCookie()) jar.push(c.split(";")[0]);
  const page = await fetch(`${base}/account`, { headers: { cookie: jar.join("; ") } });
  const token = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  return { cookie: jar.join("; "), csrf: token };
}

/** A form post (urlencoded, or multipart when given FormData) that does not follow redirects. */
export function post(
  base: string,
  session: Session,
  path: string,
  body: Record<string, string> | FormData,
): Promise<Response> {
  const isForm = body instanceof FormData;
  return fetch(`${base}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      ...(isForm ? {} : { "content-type": "application/x-www-form-urlencoded" }),
      cookie: session.cookie,
      "x-csrf-token": session.csrf,
    },
    body: isForm ? body : new URLSearchParams(body),
  });
}

/** 100,000 valid US numbers: area codes and exchanges in use, every line number of each. */
export function hundredThousandNumbers(): string[] {
  const numbers: string[] = [];
  for (const prefix of [
    "213373",
    "310728",
    "312427",
    "415575",
    "617242",
    "702971",
    "206746",
    "303621",
    "512842",
    "646425",
  ]) {
    for (let line = 0; line < 10_000; line++) {
      numbers.push(`+1${prefix}${String(line).padStart(4, "0")}`);
    }
  }
  return numbers;
}

/** ACME with a Billing unit (business 1, unit 1), made through the forms. */
export async function makeAcmeBilling(base: string, session: Session): Promise<void> {
  for (const [path, name] of [
    ["/businesses/new", "ACME"],
    ["/businesses/1/units/new", "Billing"],
  ] as const) {
    const res = await post(base, session, path, { name });
    if (res.status !== 303) throw new Error(`${path}: ${res.status}`);
  }
}

/** The id of a call purpose offered on the add form, by its name. */
export async function callPurposeId(base: string, session: Session, name: string): Promise<string> {
  const page = await fetch(`${base}/units/1/numbers/add`, { headers: { cookie: session.cookie } });
  const id = new RegExp(`<option value="(\\d+)"[^>]*>${name}<`).exec(await page.text())?.[1];
  if (!id) throw new Error(`no call purpose ${name}`);
  return id;
}

/**
 * Resolves when the child has exited and its output has all been read ("close", not "exit"),
 * with its exit code (or signal).
 */
export function exitOf(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  return new Promise((resolve) => child.once("close", (code, signal) => resolve(code ?? signal)));
}
