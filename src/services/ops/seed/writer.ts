/**
 * Writes seed data through the raw better-sqlite3 handle with prepared statements. This is the
 * documented exception to "queries go through Kysely": a million-row load through Kysely's
 * async, per-row query compilation takes minutes, while one synchronous transaction of
 * prepared statements takes seconds. The demo uses the same writer so both paths stay alike.
 */
import { existsSync, statSync } from "node:fs";
import type BetterSqlite3 from "better-sqlite3";
import type { SqliteHandle } from "../../../db/sqlite/sqlite.js";
import { validateDisplayName } from "../../../domain/display-name.js";
import type { Duration } from "../../../domain/duration.js";
import {
  type NumberPlan,
  NumberRows,
  type PurposePicks,
  type SeededProgram,
  type SeededUnit,
} from "./number-rows.js";

/** What one seed run added, for the report and the audit event. */
export interface SeedCounts {
  businesses: number;
  units: number;
  programs: number;
  /** Numbers actually inserted. */
  numbers: number;
  /** Generated numbers skipped because the portal already held them. */
  skippedExisting: number;
}

const PROGRESS_STEP = 100_000;

type Statement = BetterSqlite3.Statement<unknown[]>;

export class SeedWriter {
  private readonly insertBusinessStmt: Statement;
  private readonly insertUnitStmt: Statement;
  private readonly insertProgramStmt: Statement;
  private readonly insertNumberStmt: Statement;

  constructor(readonly handle: SqliteHandle) {
    this.insertBusinessStmt = handle.prepare(
      "insert into businesses (name, created_at, updated_at) values (?, ?, ?)",
    );
    this.insertUnitStmt = handle.prepare(
      "insert into business_units (business_id, name, created_at, updated_at) values (?, ?, ?, ?)",
    );
    this.insertProgramStmt = handle.prepare(
      `insert into programs (business_id, business_unit_id, name, display_name,
         default_call_purpose_id, starts_on, ends_on, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // ON CONFLICT names the e164 key only, so any other broken constraint still fails loudly
    // (INSERT OR IGNORE would also swallow CHECK and NOT NULL violations).
    this.insertNumberStmt = handle.prepare(
      `insert into phone_numbers (e164, business_id, business_unit_id, program_id,
         call_purpose_id, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?)
       on conflict (e164) do nothing`,
    );
  }

  /** Lower-cased names of every business, as the unique index compares them. */
  businessNames(): Set<string> {
    const rows = this.handle.prepare("select lower(name) as name from businesses").all();
    return new Set((rows as Array<{ name: string }>).map((row) => row.name));
  }

  insertBusiness(name: string, at: string): number {
    return Number(this.insertBusinessStmt.run(name, at, at).lastInsertRowid);
  }

  insertUnit(businessId: number, name: string, at: string): SeededUnit {
    const id = Number(this.insertUnitStmt.run(businessId, name, at, at).lastInsertRowid);
    return { id, businessId };
  }

  insertProgram(
    unit: SeededUnit,
    name: string,
    displayName: string,
    purposeId: number,
    duration: Duration,
    at: string,
  ): SeededProgram {
    const problem = validateDisplayName(displayName);
    if (problem) throw new Error(`Seed display name "${displayName}": ${problem}`);
    const { lastInsertRowid } = this.insertProgramStmt.run(
      unit.businessId,
      unit.id,
      name,
      displayName,
      purposeId,
      duration.startsOn,
      duration.endsOn,
      at,
      at,
    );
    return { id: Number(lastInsertRowid), unitId: unit.id, businessId: unit.businessId, purposeId };
  }

  /**
   * Inserts exactly `plan.count` new numbers, walking the pool from a random point and
   * skipping numbers the portal already holds, so a run on a filled database still adds
   * what was asked for.
   */
  insertNumbers(plan: NumberPlan): { inserted: number; skipped: number } {
    const rows = new NumberRows(plan);
    const { count } = plan;
    let inserted = 0;
    let skipped = 0;
    while (inserted < count) {
      const row = rows.next(inserted);
      const { changes } = this.insertNumberStmt.run(
        row.e164,
        row.businessId,
        row.unitId,
        row.programId,
        row.purposeId,
        row.createdAt,
        row.updatedAt,
      );
      if (changes === 0) {
        skipped++;
        continue;
      }
      inserted++;
      if (plan.onProgress && (inserted % PROGRESS_STEP === 0 || inserted === count)) {
        plan.onProgress(inserted, count);
      }
    }
    return { inserted, skipped };
  }

  /**
   * Call purposes to seed with, by code; a retired purpose is left out because the portal no
   * longer offers it, and a missing one falls back to the first purpose still offered.
   */
  purposes(): { byCode: (code: string) => number; picks: PurposePicks } {
    const rows = this.handle
      .prepare("select id, code from call_purposes where retired_at is null order by id")
      .all() as Array<{ id: number; code: string | null }>;
    const first = rows[0];
    if (!first) throw new Error("The portal offers no call purposes; cannot seed numbers.");
    const ids = new Map(rows.flatMap((row) => (row.code ? [[row.code, row.id] as const] : [])));
    const byCode = (code: string): number => ids.get(code) ?? first.id;
    const general = ["customer_service", "informational", "multi_use"].map(byCode);
    return { byCode, picks: { general, any: rows.map((row) => row.id) } };
  }

  /**
   * One audit event per run, written straight into audit_events because a seed run has no
   * signed-in user: it is credited to the first portal admin, or to "seed" before there is one.
   */
  recordRun(mode: "demo" | "bulk", counts: SeedCounts, at: string): void {
    const admin = this.handle
      .prepare("select id, email from users where role = 'portal_admin' order by id limit 1")
      .get() as { id: number; email: string } | undefined;
    const n = (value: number) => value.toLocaleString("en-US");
    const summary =
      `Seeded ${mode} data: ${n(counts.businesses)} businesses, ${n(counts.units)} business units, ` +
      `${n(counts.programs)} programs, ${n(counts.numbers)} phone numbers`;
    this.handle
      .prepare(
        `insert into audit_events (occurred_at, actor_user_id, actor_email, action, subject_type,
           subject_id, business_id, business_unit_id, program_id, phone_number, summary,
           before_json, after_json)
         values (?, ?, ?, 'seed.run', 'seed', null, null, null, null, null, ?, null, ?)`,
      )
      .run(
        at,
        admin?.id ?? null,
        admin?.email ?? "seed",
        summary,
        JSON.stringify({ mode, ...counts }),
      );
  }
}

/**
 * Folds the write-ahead log into the main file and returns the database's size on disk
 * (main file plus whatever log a concurrent reader kept from being truncated).
 */
export function checkpointAndMeasure(handle: SqliteHandle): number {
  handle.pragma("wal_checkpoint(TRUNCATE)");
  if (handle.memory) return 0;
  const file = handle.name;
  const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
  return size(file) + size(`${file}-wal`);
}
