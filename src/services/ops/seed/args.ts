/** What `npm run seed` was asked to do. */
export type SeedCommand = { kind: "demo" } | { kind: "bulk"; numbers: number };

export type SeedArgs = SeedCommand | { kind: "help" } | { kind: "invalid"; message: string };

/** Enough to load-test any page; more would take minutes and gigabytes. */
const MAX_SEED_NUMBERS = 5_000_000;

export const SEED_USAGE =
  "Usage: npm run seed -- --demo | --numbers <1–5,000,000>  (database: DATABASE_URL)";

/**
 * Reads the seed command's arguments. Pure, so the CLI is a thin shell and the rules are
 * tested without spawning a process. Accepts `--numbers N` and `--numbers=N`, with `_` or `,`
 * as thousands separators (1_000_000).
 */
export function parseSeedArgs(argv: readonly string[]): SeedArgs {
  let demo = false;
  let numbersText: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    if (arg === "--demo") {
      demo = true;
    } else if (arg === "--numbers" || arg.startsWith("--numbers=")) {
      if (numbersText !== null) return invalid("Give --numbers only once.");
      const value = arg === "--numbers" ? argv[++i] : arg.slice("--numbers=".length);
      if (value === undefined || value === "") return invalid("--numbers needs a count.");
      numbersText = value;
    } else {
      return invalid(`Unknown argument "${arg}".`);
    }
  }
  if (demo && numbersText !== null) return invalid("Choose either --demo or --numbers, not both.");
  if (demo) return { kind: "demo" };
  if (numbersText === null) return invalid("Choose --demo or --numbers <count>.");
  const digits = numbersText.replace(/[_,]/g, "");
  if (!/^\d+$/.test(digits))
    return invalid(`--numbers must be a whole number, not "${numbersText}".`);
  const numbers = Number(digits);
  if (numbers < 1 || numbers > MAX_SEED_NUMBERS) {
    return invalid(`--numbers must be from 1 to ${MAX_SEED_NUMBERS.toLocaleString("en-US")}.`);
  }
  return { kind: "bulk", numbers };
}

function invalid(message: string): SeedArgs {
  return { kind: "invalid", message };
}
