/**
 * What a bulk run is given and gives back (run-engine.ts), as plain data: a plan crosses to an
 * upload worker thread, a summary comes back.
 */
import type { JobKind } from "../../db/tables/jobs.js";
import type { Level } from "../../domain/levels.js";
import type { CurrentUser } from "../../domain/permissions.js";

export interface PurposeRef {
  id: number;
  name: string;
  retired_at: string | null;
}

/** Everything a run needs to know besides its entries; plain data, so it can cross threads. */
export interface RunPlan {
  kind: JobKind;
  source: "manual" | "upload";
  user: CurrentUser;
  level: Level;
  defaultRegion: string | null;
  purposes: PurposeRef[];
  /** Add: the call purpose of entries that name none. */
  fallbackPurposeId: number | null;
  /** Names of the hierarchy, to say where a number is: [id, name] pairs. */
  places: {
    businesses: Array<[number, string]>;
    units: Array<[number, string]>;
    programs: Array<[number, string]>;
  };
}

export interface RunSummary {
  jobId: number;
  total: number;
  succeeded: number;
  rejected: number;
}

/** Told how far a run is, every PROGRESS_EVERY entries: for the progress bar of uploads. */
export type RunProgress = (done: number, total: number) => void;
export const PROGRESS_EVERY = 2_000;
