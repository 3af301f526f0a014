/**
 * Runs (product.md §5): the bulk runs made at and below a level, newest first, with whether
 * each was undone; paged and filtered by kind. Whoever sees the level sees its runs, as they
 * see each run's result (services/runs/jobs.ts).
 */
import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { Job } from "../../db/tables/jobs.js";
import type { Level } from "../../domain/levels.js";
import { jobUndos } from "../../queries/audit-events.js";
import { countJobsAt, type JobFilter, listJobsAt } from "../../queries/jobs.js";

const RUNS_PAGE_SIZE = 50;

export const RUN_KIND_CHOICES = [
  { value: "", label: "Add and delete" },
  { value: "add", label: "Add runs" },
  { value: "delete", label: "Delete runs" },
] as const;

interface RunRow extends Job {
  undone: { occurred_at: string; actor_email: string } | null;
}

export interface RunList {
  kind: "" | "add" | "delete";
  runs: RunRow[];
  total: number;
  page: number;
  pageCount: number;
}

export async function loadRuns(
  db: Kysely<DB>,
  level: Level,
  params: { kind?: string; page?: string },
): Promise<RunList> {
  const kind = params.kind === "add" || params.kind === "delete" ? params.kind : "";
  const filter: JobFilter = {
    businessId: level.business.id,
    unitId: level.unit?.id ?? null,
    programId: level.program?.id ?? null,
    kind: kind === "" ? null : kind,
  };
  const total = await countJobsAt(db, filter);
  const pageCount = Math.max(1, Math.ceil(total / RUNS_PAGE_SIZE));
  const page = Math.min(Math.max(1, Number.parseInt(params.page ?? "1", 10) || 1), pageCount);
  const jobs = await listJobsAt(db, filter, RUNS_PAGE_SIZE, (page - 1) * RUNS_PAGE_SIZE);
  const undos = await jobUndos(
    db,
    jobs.map((j) => j.id),
  );
  return {
    kind,
    runs: jobs.map((j) => ({ ...j, undone: undos.get(j.id) ?? null })),
    total,
    page,
    pageCount,
  };
}
