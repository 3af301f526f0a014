import type { SqliteDb } from "../../../db/database.js";
import { ConflictError } from "../../../domain/errors.js";
import { NumberPool, seededRandom } from "./number-pool.js";
import type { SeededProgram, SeededUnit } from "./number-rows.js";
import { type SeedCounts, SeedWriter } from "./writer.js";

/** Start and end as days from today (negative = past); null = open-ended on that side. */
interface DemoProgram {
  name: string;
  displayName: string;
  purpose: string;
  startsIn: number | null;
  endsIn: number | null;
}

interface DemoBusiness {
  name: string;
  units: Array<{ name: string; programs: DemoProgram[] }>;
}

/**
 * Three customers an operator would recognise, with every program status on show: active,
 * scheduled, expired and open-ended (on one or both sides). Dates are relative to the day
 * the demo is seeded so the statuses stay true whenever it is run.
 */
export const DEMO_BUSINESSES: DemoBusiness[] = [
  {
    name: "Harborview Health Partners",
    units: [
      {
        name: "Patient Access",
        programs: [
          p("Appointment Reminders", "Harborview Health", "appointment_reminder", -420, null),
          p("Flu Season Outreach", "Harborview Flu Clinic", "informational", 21, 140),
          p("Telehealth Pilot", "Harborview Telehealth", "customer_service", -300, -45),
        ],
      },
      {
        name: "Billing Office",
        programs: [
          p("Statement Notices", "Harborview Billing", "informational", -200, 165),
          p("Past-Due Balances", "Harborview Billing Dept.", "debt_collection", -90, 275),
        ],
      },
      {
        name: "Pharmacy Services",
        programs: [
          p("Refill Reminders", "Harborview Pharmacy", "informational", null, null),
          p("Vaccine Clinic Follow-up", "Harborview Pharmacy", "survey", -240, -120),
        ],
      },
    ],
  },
  {
    name: "Summit Ridge Energy",
    units: [
      {
        name: "Customer Care",
        programs: [
          p("Account Support", "Summit Ridge Energy", "customer_service", -700, null),
          p("Move-In Welcome Calls", "Summit Ridge Welcome", "customer_service", 10, 200),
        ],
      },
      {
        name: "Collections",
        programs: [
          p("Payment Arrangements", "Summit Ridge Payments", "debt_collection", -150, 215),
          p("Winter Shutoff Notices", "Summit Ridge Gas & Electric", "informational", -400, -220),
        ],
      },
      {
        name: "Outage Alerts",
        programs: [
          p("Storm Outage Alerts", "Summit Ridge Outages", "informational", -500, null),
          p("Planned Maintenance", "Summit Ridge Maint.", "informational", 45, 75),
        ],
      },
      {
        name: "Field Service",
        programs: [
          p("Technician Arrival Calls", "Summit Ridge Field Svc", "appointment_reminder", -60, 305),
          p("Smart Meter Rollout", "Summit Ridge Meter Team", "multi_use", -365, -1),
        ],
      },
    ],
  },
  {
    name: "Cascade Federal Credit Union",
    units: [
      {
        name: "Member Services",
        programs: [
          p("Member Support Line", "Cascade FCU", "customer_service", null, null),
          p("Fraud Alerts", "Cascade FCU Fraud Dept", "informational", -30, 700),
          p("Member Satisfaction Survey", "Cascade FCU Survey", "survey", -180, -150),
        ],
      },
      {
        name: "Lending",
        programs: [
          p("Loan Payment Reminders", "Cascade FCU Lending", "informational", -330, null),
          p("Auto Loan Offers", "Cascade FCU Auto Loans", "telemarketing", 14, 105),
          p("Mortgage Rate Watch (Pilot)", "Cascade FCU Mortgage", "telemarketing", null, 60),
        ],
      },
    ],
  },
];

function p(
  name: string,
  displayName: string,
  purpose: string,
  startsIn: number | null,
  endsIn: number | null,
): DemoProgram {
  return { name, displayName, purpose, startsIn, endsIn };
}

const DAY_MS = 24 * 60 * 60 * 1000;

function daysFrom(now: Date, days: number | null): string | null {
  return days === null ? null : new Date(now.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

const DEMO_NUMBER_COUNT = 2_000;

export interface DemoSeedOptions {
  /** Same seed, same numbers and spread (on the same day); random when left out. */
  seed?: number;
  now?: Date;
}

/**
 * Seeds the demo in one transaction. Refuses, changing nothing, when a demo business already
 * exists: a second copy would only collide on names, and topping it up is not a demo.
 */
export function seedDemo(database: SqliteDb, options: DemoSeedOptions = {}): SeedCounts {
  const now = options.now ?? new Date();
  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const writer = new SeedWriter(database.handle);
  const run = database.handle.transaction((): SeedCounts => {
    const existing = writer.businessNames();
    const clash = DEMO_BUSINESSES.find((b) => existing.has(b.name.toLowerCase()));
    if (clash) {
      throw new ConflictError(
        `The demo is already in this database (business "${clash.name}" exists). ` +
          "Seed a fresh database, or add bulk data with --numbers.",
      );
    }
    const { byCode, picks } = writer.purposes();
    // The customers were set up a little before their oldest numbers were added.
    const setUpAt = new Date(now.getTime() - 760 * DAY_MS).toISOString();
    const businesses: number[] = [];
    const units: SeededUnit[] = [];
    const programs: SeededProgram[] = [];
    for (const business of DEMO_BUSINESSES) {
      const businessId = writer.insertBusiness(business.name, setUpAt);
      businesses.push(businessId);
      for (const unitSpec of business.units) {
        const unit = writer.insertUnit(businessId, unitSpec.name, setUpAt);
        units.push(unit);
        for (const spec of unitSpec.programs) {
          const duration = {
            startsOn: daysFrom(now, spec.startsIn),
            endsOn: daysFrom(now, spec.endsIn),
          };
          programs.push(
            writer.insertProgram(
              unit,
              spec.name,
              spec.displayName,
              byCode(spec.purpose),
              duration,
              setUpAt,
            ),
          );
        }
      }
    }
    const { inserted, skipped } = writer.insertNumbers({
      pool: new NumberPool(),
      count: DEMO_NUMBER_COUNT,
      placements: { businesses, units, programs },
      programShare: 0.8,
      unitShare: 0.12,
      purposes: picks,
      random,
      now,
    });
    const counts: SeedCounts = {
      businesses: businesses.length,
      units: units.length,
      programs: programs.length,
      numbers: inserted,
      skippedExisting: skipped,
    };
    writer.recordRun("demo", counts, now.toISOString());
    return counts;
  });
  // IMMEDIATE takes the write lock up front, so a running portal makes the seed wait rather
  // than fail halfway with SQLITE_BUSY.
  return run.immediate();
}
