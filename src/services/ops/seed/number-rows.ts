/**
 * The numbers a seed run adds, row by row, whatever writes them (writer.ts on SQLite,
 * postgres-writer.ts on PostgreSQL): where each sits, its call purpose and its dates.
 */
import type { NumberPool } from "./number-pool.js";

export interface SeededUnit {
  id: number;
  businessId: number;
}

export interface SeededProgram {
  id: number;
  unitId: number;
  businessId: number;
  purposeId: number;
}

/** The places the numbers of a run are spread over. */
interface Placements {
  businesses: number[];
  units: SeededUnit[];
  programs: SeededProgram[];
}

/** Call purpose ids: `general` for numbers outside programs, `any` for the odd exception. */
export interface PurposePicks {
  general: number[];
  any: number[];
}

export interface NumberPlan {
  pool: NumberPool;
  count: number;
  placements: Placements;
  /** Shares of the numbers placed in a program and at unit level; the rest sit at business level. */
  programShare: number;
  unitShare: number;
  purposes: PurposePicks;
  random: () => number;
  now: Date;
  onProgress?: ((inserted: number, total: number) => void) | undefined;
}

export interface NumberRow {
  e164: string;
  businessId: number;
  unitId: number | null;
  programId: number | null;
  purposeId: number;
  createdAt: string;
  updatedAt: string;
}

const TWO_YEARS_MS = 2 * 365 * 24 * 60 * 60 * 1000;

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

/**
 * Candidate rows, walking the pool from a random point; the writer skips those the portal
 * already holds and asks for more until it has added `plan.count`.
 */
export class NumberRows {
  private index: number;
  private walked = 0;
  private readonly unitShare: number;
  private readonly programShare: number;

  constructor(private readonly plan: NumberPlan) {
    const { businesses, units, programs } = plan.placements;
    if (businesses.length === 0) throw new Error("Numbers need at least one business.");
    this.unitShare = units.length > 0 ? plan.unitShare : 0;
    this.programShare = programs.length > 0 ? plan.programShare : 0;
    this.index = Math.floor(plan.random() * plan.pool.size);
  }

  /** The next candidate, dated as the `made`-th number of the run (0-based). */
  next(made: number): NumberRow {
    const { pool, count, purposes, random } = this.plan;
    const { businesses, units, programs } = this.plan.placements;
    if (this.walked >= pool.size) {
      throw new Error(`The seed's ${pool.size.toLocaleString("en-US")} numbers are all taken.`);
    }
    this.walked++;
    const e164 = pool.numberAt(this.index);
    this.index = this.index + 1 === pool.size ? 0 : this.index + 1;

    let businessId: number;
    let unitId: number | null = null;
    let programId: number | null = null;
    let purposeId: number;
    const level = random();
    if (level < this.programShare) {
      const program = pick(programs, random);
      businessId = program.businessId;
      unitId = program.unitId;
      programId = program.id;
      purposeId = random() < 0.85 ? program.purposeId : pick(purposes.any, random);
    } else {
      if (level < this.programShare + this.unitShare) {
        const unit = pick(units, random);
        businessId = unit.businessId;
        unitId = unit.id;
      } else {
        businessId = pick(businesses, random);
      }
      purposeId = pick(random() < 0.8 ? purposes.general : purposes.any, random);
    }

    // Numbers are added oldest first, spread over the past two years with a density that
    // grows towards today (a portal that grew). Rising dates keep each (place, created_at)
    // index appending near its end instead of splitting pages all over it: twice as fast.
    const nowMs = this.plan.now.getTime();
    const position = Math.sqrt((made + random()) / count);
    const createdMs = nowMs - TWO_YEARS_MS + Math.floor(TWO_YEARS_MS * position);
    const createdAt = new Date(createdMs).toISOString();
    const updatedAt =
      random() < 0.8
        ? createdAt
        : new Date(createdMs + Math.floor(random() * (nowMs - createdMs))).toISOString();
    return { e164, businessId, unitId, programId, purposeId, createdAt, updatedAt };
  }
}
