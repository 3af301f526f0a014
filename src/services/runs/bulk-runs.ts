/**
 * Bulk add and delete runs (product.md §4): what a run needs is gathered here (the level, the
 * call purposes, the names of the hierarchy), then run-engine.ts does the run in one
 * transaction, on the portal's writer, holding its lock so that no other write interleaves.
 * Uploads and long typed lists go through run-workers.ts instead, which does the same in a
 * worker thread.
 */
import type { Kysely } from "kysely";
import type { Database, DB, SqliteDb } from "../../db/database.js";
import type { Job } from "../../db/tables/jobs.js";
import { ForbiddenError, ValidationError } from "../../domain/errors.js";
import type { Level, LevelKind } from "../../domain/levels.js";
import { type CurrentUser, canEditNumbers } from "../../domain/permissions.js";
import { listCallPurposeRefs } from "../../queries/call-purposes.js";
import { findJob } from "../../queries/jobs.js";
import { readDirectory } from "../../queries/level-names.js";
import { findProgram } from "../../queries/programs.js";
import { resolveLevel } from "../hierarchy/levels.js";
import type { ReadCache } from "../read-cache.js";
import { splitEntries } from "./entry-list.js";
import { executePostgresRun } from "./postgres-run.js";
import { executeRun, type RunEntry, type RunPlan, type RunSummary } from "./run-engine.js";
import type { RunWorkers } from "./threads/run-workers.js";

export type { RunEntry } from "./run-engine.js";

/** The most entries one run takes (product.md: uploads of up to 100,000 numbers). */
export const MAX_ENTRIES = 100_000;

/**
 * The level a run would work at: visible to the user (else 404, as if it did not exist) and
 * open to their changes (else 403).
 */
export async function editableRunLevel(
  db: Kysely<DB>,
  user: CurrentUser,
  kind: LevelKind,
  id: number,
): Promise<Level> {
  const level = await resolveLevel(db, user, kind, id);
  if (!canEditNumbers(user))
    throw new ForbiddenError("Your role can view numbers but not change them.");
  return level;
}

/** Splits pasted text into entries: one number per line, or separated by commas/semicolons. */
export function entriesFromText(text: string): RunEntry[] {
  return splitEntries(text).map((number, index) => ({
    line: index + 1,
    number,
    callPurpose: null,
  }));
}

function checkSize(count: number): void {
  if (count === 0) throw new ValidationError({ numbers: "Enter at least one phone number." });
  if (count > MAX_ENTRIES) {
    throw new ValidationError({
      numbers: `A run takes at most ${MAX_ENTRIES.toLocaleString("en-US")} numbers; this one has ${count.toLocaleString("en-US")}. Nothing was changed.`,
    });
  }
}

export interface RunContext {
  db: Kysely<DB>;
  /** The writer a run's transaction uses, and the lock that makes it the only writer. */
  database: Database;
  cache: ReadCache;
  user: CurrentUser;
  level: Level;
  defaultRegion: string | null;
  source: "manual" | "upload";
  /** Where long typed lists run, off the event loop (uploads always run there). */
  workers?: RunWorkers;
}

/**
 * A typed list up to this long runs on the writer in the request itself (a few milliseconds
 * a hundred numbers); a longer one runs in an upload worker, as a file would.
 */
export const INLINE_RUN_MAX = 1_000;

/**
 * The plan of a run at ctx's level. For an add, `defaultPurpose` is the call purpose of
 * entries that name none: an id from the form, or "" for the program's default.
 */
export async function planRun(
  ctx: RunContext,
  kind: RunPlan["kind"],
  defaultPurpose = "",
): Promise<RunPlan> {
  const purposes = await listCallPurposeRefs(ctx.db);
  let fallbackPurposeId: number | null = null;
  if (kind === "add") {
    const program = ctx.level.program ? await findProgram(ctx.db, ctx.level.program.id) : undefined;
    const chosen = /^\d{1,15}$/.test(defaultPurpose.trim())
      ? Number(defaultPurpose.trim())
      : program?.default_call_purpose_id;
    const fallback = purposes.find((p) => p.id === chosen && p.retired_at === null);
    if (!fallback)
      throw new ValidationError({ call_purpose: "Choose a call purpose from the list." });
    fallbackPurposeId = fallback.id;
  }
  const directory = await ctx.cache.get("run-places", () => readDirectory(ctx.db));
  return {
    kind,
    source: ctx.source,
    user: ctx.user,
    level: ctx.level,
    defaultRegion: ctx.defaultRegion,
    purposes: purposes.map(({ id, name, retired_at }) => ({ id, name, retired_at })),
    fallbackPurposeId,
    places: {
      businesses: directory.businesses.map((b) => [b.id, b.name]),
      units: directory.units.map((u) => [u.id, u.name]),
      programs: directory.programs.map((p) => [p.id, p.name]),
    },
  };
}

/** Runs `work` as the portal's only writer (other writes wait; pages keep reading). */
async function asOnlyWriter<T>(database: SqliteDb, work: () => T | Promise<T>): Promise<T> {
  await database.writerLock.acquire();
  try {
    return await work();
  } finally {
    database.writerLock.release();
  }
}

async function runOnWriter(ctx: RunContext, plan: RunPlan, entries: RunEntry[]): Promise<Job> {
  checkSize(entries.length);
  const { database } = ctx;
  let summary: RunSummary;
  if (ctx.workers && entries.length > INLINE_RUN_MAX) {
    summary = await ctx.workers.run(database, { entries }, plan);
  } else if (database.kind === "sqlite") {
    summary = await asOnlyWriter(database, () => executeRun(database.handle, plan, entries));
  } else {
    summary = await executePostgresRun(ctx.db, plan, entries);
  }
  return jobOf(ctx.db, summary);
}

/** The job row a run wrote (read back through the reader, now that it is committed). */
export async function jobOf(db: Kysely<DB>, summary: RunSummary): Promise<Job> {
  const job = await findJob(db, summary.jobId);
  if (!job) throw new Error(`Job ${summary.jobId} was not found after its run committed.`);
  return job;
}

/** Deletes the valid, visible numbers of the level; everything else is rejected with a reason. */
export async function runDeletion(ctx: RunContext, entries: RunEntry[]): Promise<Job> {
  checkSize(entries.length);
  return runOnWriter(ctx, await planRun(ctx, "delete"), entries);
}

/** Adds the valid numbers at the level, each with its call purpose (given, or the default). */
export async function runAddition(
  ctx: RunContext,
  entries: RunEntry[],
  defaultPurpose: string,
): Promise<Job> {
  checkSize(entries.length);
  return runOnWriter(ctx, await planRun(ctx, "add", defaultPurpose), entries);
}
