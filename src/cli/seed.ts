import { performance } from "node:perf_hooks";
import { ConfigError, loadConfig } from "../config.js";
import { redact } from "../db/database-url.js";
import { ConflictError } from "../domain/errors.js";
import { parseSeedArgs, SEED_USAGE } from "../services/ops/seed/args.js";
import { runSeed } from "../services/ops/seed/run.js";

/** `npm run seed -- --demo | --numbers N`: fills the configured database with sample data. */
const args = parseSeedArgs(process.argv.slice(2));
if (args.kind === "help") {
  console.log(SEED_USAGE);
  process.exit(0);
}
if (args.kind === "invalid") {
  console.error(args.message);
  console.error(SEED_USAGE);
  process.exit(2);
}

const count = (n: number) => n.toLocaleString("en-US");
try {
  const config = loadConfig();
  // Never the password of a postgres:// URL.
  const where = redact(config.databaseUrl);
  console.log(
    args.kind === "demo"
      ? `Seeding the demo into ${where}…`
      : `Seeding ${count(args.numbers)} numbers into ${where}…`,
  );
  const started = performance.now();
  const report = await runSeed(config.databaseUrl, args, (inserted, total) => {
    console.log(`  ${count(inserted)} / ${count(total)} numbers`);
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const mb = report.databaseBytes / (1024 * 1024);
  const megabytes = mb < 10 ? mb.toFixed(1) : Math.round(mb);
  console.log(
    `Added ${count(report.businesses)} businesses, ${count(report.units)} business units, ` +
      `${count(report.programs)} programs.`,
  );
  if (report.skippedExisting > 0) {
    console.log(
      `Skipped ${count(report.skippedExisting)} generated numbers the portal already had.`,
    );
  }
  console.log(`Seeded ${count(report.numbers)} numbers in ${seconds} s; database ${megabytes} MB`);
} catch (error) {
  // Refusals and bad settings are the operator's to fix: a message, not a stack trace.
  if (error instanceof ConflictError || error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
