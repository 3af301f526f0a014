import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

export interface ServerOptions {
  /** The built server, e.g. dist/src/server.js. */
  entry: string;
  cwd: string;
  /** DATABASE_URL: a SQLite file or a postgres:// URL. */
  databaseUrl: string;
  adminEmail: string;
  adminPassword: string;
  logLevel: string;
}

export interface RunningServer {
  pid: number;
  baseUrl: string;
  /** Highest resident set size seen so far, in bytes; null where /proc is not available. */
  peakRssBytes(): number | null;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. Safe to call more than once. */
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the server binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no free port")),
      );
    });
  });
}

/** A field of /proc/<pid>/status in bytes (the file gives kB), or null if unreadable. */
function procStatusBytes(pid: number, field: "VmRSS" | "VmHWM"): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Every server started and not yet known to be gone, for killAllNow. */
const live = new Set<ChildProcess>();

/**
 * SIGKILLs every server this process started: for an `exit` handler, where nothing can be
 * awaited, so that not even a crash of the bench leaves a server running.
 */
export function killAllNow(): void {
  for (const child of live) if (!exited(child)) child.kill("SIGKILL");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the built server as its own process (so its memory and CPU are its own, as in
 * production) and resolves once GET /healthz answers 200. Its output goes to stderr,
 * prefixed, so a warning or crash during the bench is seen.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const recent: string[] = [];
  const shown = new Set<string>();
  const child = spawn(process.execPath, [options.entry], {
    cwd: options.cwd,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: options.logLevel,
      // Created at first start because the seeded database has no users yet.
      ADMIN_EMAIL: options.adminEmail,
      ADMIN_PASSWORD: options.adminPassword,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  // Without a listener a failed spawn would crash the bench before its cleanup ran.
  child.once("error", (error) => recent.push(`spawn failed: ${error.message}`));
  child.once("exit", () => live.delete(child));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start ${options.entry}.`);

  const onLine = (line: string) => {
    if (line.trim() === "") return;
    recent.push(line);
    if (recent.length > 30) recent.shift();
    // A warning repeated per route or per request would bury the bench's own output.
    if (shown.has(line)) return;
    shown.add(line);
    process.stderr.write(`[server] ${line}\n`);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      lines.forEach(onLine);
    });
    stream?.on("end", () => onLine(partial));
  }

  // VmHWM is the kernel's own peak; sampling VmRSS as well covers a kernel without it.
  let sampledPeak: number | null = null;
  const sample = () => {
    const rss = procStatusBytes(pid, "VmRSS");
    if (rss !== null) sampledPeak = Math.max(sampledPeak ?? 0, rss);
  };
  const sampler = setInterval(sample, 200);
  sampler.unref();
  let finalPeak: number | null = null;
  const peakRssBytes = (): number | null => {
    if (!exited(child)) {
      sample();
      const hwm = procStatusBytes(pid, "VmHWM");
      if (hwm !== null) finalPeak = Math.max(finalPeak ?? 0, hwm);
    }
    const peaks = [finalPeak, sampledPeak].filter((p): p is number => p !== null);
    return peaks.length ? Math.max(...peaks) : null;
  };

  const stop = async (): Promise<void> => {
    peakRssBytes();
    clearInterval(sampler);
    if (exited(child)) return;
    child.kill("SIGTERM");
    if (await waitForExit(child, 10_000)) return;
    process.stderr.write("The server did not stop within 10 s of SIGTERM; killing it.\n");
    child.kill("SIGKILL");
    await waitForExit(child, 5_000);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited(child)) {
      throw new Error(
        `The server exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ` +
          `healthy. Its last output:\n${recent.join("\n")}`,
      );
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `The server was not healthy within 60 s. Its last output:\n${recent.join("\n")}`,
      );
    }
    await sleep(100);
  }
  return { pid, baseUrl, peakRssBytes, stop };
}
