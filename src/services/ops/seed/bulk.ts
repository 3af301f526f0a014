import type { SqliteDb } from "../../../db/database.js";
import { DISPLAY_NAME_MAX_LENGTH } from "../../../domain/display-name.js";
import type { Duration } from "../../../domain/duration.js";
import { NumberPool, seededRandom } from "./number-pool.js";
import type { SeededProgram, SeededUnit } from "./number-rows.js";
import { type SeedCounts, SeedWriter } from "./writer.js";

/** Customers of a busy portal: full name, and the short brand their display names start with. */
const BULK_BUSINESSES: Array<[name: string, brand: string]> = [
  ["Northwind Telecom", "Northwind"],
  ["Granite State Mutual Insurance", "Granite Mutual"],
  ["Lakeshore Medical Group", "Lakeshore Medical"],
  ["Pioneer Valley Utilities", "Pioneer Utilities"],
  ["Meridian Auto Finance", "Meridian Auto"],
  ["Copperline Home Services", "Copperline"],
  ["Evergreen Dental Partners", "Evergreen Dental"],
  ["Silver Oak Property Management", "Silver Oak"],
  ["Keystone Pharmacy Network", "Keystone Pharmacy"],
  ["Atlas Freight & Logistics", "Atlas Freight"],
];

/** Units: name, the word their display names use, and the call purpose their programs default to. */
const BULK_UNITS: Array<[name: string, label: string, purpose: string]> = [
  ["Billing", "Billing", "informational"],
  ["Collections", "Collections", "debt_collection"],
  ["Customer Care", "Care", "customer_service"],
  ["Sales", "Sales", "telemarketing"],
  ["Retention", "Retention", "telemarketing"],
  ["Appointments", "Appointments", "appointment_reminder"],
  ["Claims", "Claims", "customer_service"],
  ["Field Service", "Field Service", "appointment_reminder"],
  ["Fraud Prevention", "Fraud Alerts", "informational"],
  ["Deliveries", "Deliveries", "informational"],
  ["Member Services", "Member Svcs", "customer_service"],
  ["Community Outreach", "Outreach", "charity"],
  ["Renewals", "Renewals", "informational"],
  ["Technical Support", "Tech Support", "customer_service"],
  ["Onboarding", "Welcome Team", "customer_service"],
  ["Payments", "Payments", "debt_collection"],
  ["Scheduling", "Scheduling", "appointment_reminder"],
  ["Customer Research", "Survey", "survey"],
  ["Public Affairs", "Public Affairs", "political"],
  ["Front Desk", "Main Line", "multi_use"],
];

const BULK_PROGRAMS = [
  "Everyday Calls",
  "Reminder Calls",
  "Spring Campaign",
  "Summer Campaign",
  "Autumn Campaign",
  "Winter Campaign",
  "Pilot Program",
  "Follow-up Calls",
  "Priority Line",
  "Overflow Line",
];

export const DAY_MS = 24 * 60 * 60 * 1000;

function dayFrom(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** A mix of statuses: mostly active, some scheduled, some expired, some open-ended. */
function bulkDuration(now: Date, random: () => number): Duration {
  const days = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const roll = random();
  if (roll < 0.45)
    return { startsOn: dayFrom(now, -days(30, 600)), endsOn: dayFrom(now, days(30, 400)) };
  if (roll < 0.6) return { startsOn: dayFrom(now, -days(30, 700)), endsOn: null };
  if (roll < 0.75) {
    const start = days(7, 120);
    return { startsOn: dayFrom(now, start), endsOn: dayFrom(now, start + days(30, 365)) };
  }
  if (roll < 0.95) {
    const end = days(1, 400);
    return { startsOn: dayFrom(now, -end - days(30, 365)), endsOn: dayFrom(now, -end) };
  }
  return { startsOn: null, endsOn: null };
}

/** "Brand Label", falling back to the brand alone when the pair is over the carriers' limit. */
function displayNameFor(brand: string, label: string): string {
  const full = `${brand} ${label}`;
  return [...full].length <= DISPLAY_NAME_MAX_LENGTH ? full : brand;
}

/** The first of "Name", "Name 2", "Name 3"… that no business has yet (names are unique). */
function freeName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base} ${n}`;
  taken.add(name.toLowerCase());
  return name;
}

/** One business of the bulk layout, as both writers (SQLite, PostgreSQL) insert it. */
export interface BulkBusiness {
  name: string;
  units: Array<{
    name: string;
    programs: Array<{ name: string; displayName: string; purpose: string; duration: Duration }>;
  }>;
}

/**
 * The businesses, units and programs of a bulk run, names made free against `taken`
 * (lower-cased names already in the portal). Pure: the writers only insert it.
 */
export function bulkLayout(now: Date, random: () => number, taken: Set<string>): BulkBusiness[] {
  return BULK_BUSINESSES.map(([baseName, brand]) => ({
    name: freeName(baseName, taken),
    units: BULK_UNITS.map(([unitName, label, purpose]) => ({
      name: unitName,
      programs: BULK_PROGRAMS.map((programName) => ({
        name: programName,
        displayName: displayNameFor(brand, label),
        purpose,
        duration: bulkDuration(now, random),
      })),
    })),
  }));
}

/** Whence a seed run's randomness: the given seed (the same data set), else a random one. */
export function seedRandom(seed: number | undefined): () => number {
  return seededRandom(seed ?? Math.floor(Math.random() * 2 ** 32));
}

export const BULK_SHAPE = {
  businesses: BULK_BUSINESSES.length,
  unitsPerBusiness: BULK_UNITS.length,
  programsPerUnit: BULK_PROGRAMS.length,
};

export interface BulkSeedOptions {
  numbers: number;
  /** Same seed, same data set (on the same day and database); random when left out. */
  seed?: number;
  now?: Date;
  onProgress?: (inserted: number, total: number) => void;
}

/** SQLite's page cache for the load, in KiB: big enough that the indexes stay in memory. */
const LOAD_CACHE_KIB = 512 * 1024;

/**
 * Adds 10 businesses × 20 units × 10 programs and `numbers` phone numbers (80% in programs,
 * 12% at unit level, 8% at business level) in one transaction. Works on a database that
 * already has data: business names get a free suffix and numbers already held are skipped.
 */
export function seedBulk(database: SqliteDb, options: BulkSeedOptions): SeedCounts {
  const now = options.now ?? new Date();
  const random = seedRandom(options.seed);
  const { handle } = database;
  const writer = new SeedWriter(handle);
  const pool = new NumberPool();
  const run = handle.transaction((): SeedCounts => {
    const { byCode, picks } = writer.purposes();
    const setUpAt = new Date(now.getTime() - 760 * DAY_MS).toISOString();
    const businesses: number[] = [];
    const units: SeededUnit[] = [];
    const programs: SeededProgram[] = [];
    for (const business of bulkLayout(now, random, writer.businessNames())) {
      const businessId = writer.insertBusiness(business.name, setUpAt);
      businesses.push(businessId);
      for (const unitSpec of business.units) {
        const unit = writer.insertUnit(businessId, unitSpec.name, setUpAt);
        units.push(unit);
        for (const program of unitSpec.programs) {
          programs.push(
            writer.insertProgram(
              unit,
              program.name,
              program.displayName,
              byCode(program.purpose),
              program.duration,
              setUpAt,
            ),
          );
        }
      }
    }
    const { inserted, skipped } = writer.insertNumbers({
      pool,
      count: options.numbers,
      placements: { businesses, units, programs },
      programShare: 0.8,
      unitShare: 0.12,
      purposes: picks,
      random,
      now,
      onProgress: options.onProgress,
    });
    const counts: SeedCounts = {
      businesses: businesses.length,
      units: units.length,
      programs: programs.length,
      numbers: inserted,
      skippedExisting: skipped,
    };
    writer.recordRun("bulk", counts, now.toISOString());
    return counts;
  });

  // Random-order inserts touch pages all over five indexes; with the default 2 MB cache most
  // of them would be spilled to the log and read back many times over.
  const previousCache = handle.pragma("cache_size", { simple: true });
  handle.pragma(`cache_size = -${LOAD_CACHE_KIB}`);
  try {
    return run.immediate();
  } finally {
    handle.pragma(`cache_size = ${Number(previousCache)}`);
  }
}
