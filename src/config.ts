import { isSupportedCountry } from "libphonenumber-js";
import { DatabaseUrlError, parseDatabaseUrl } from "./db/database-url.js";
import { DEFAULT_SCRYPT, type ScryptParams } from "./services/people/passwords.js";

/** Typed, validated configuration read once from the environment at start. */
export interface Config {
  port: number;
  host: string;
  /** A SQLite file (a path or `file:PATH`) or `postgres://…` (see db/database-url.ts). */
  databaseUrl: string;
  /** ISO country used to read numbers typed without a country code; null = always ask for one. */
  defaultRegion: string | null;
  supportUrl: string;
  adminEmail: string | null;
  adminPassword: string | null;
  logLevel: string;
  /** Mark cookies Secure even on plain-HTTP requests (set when a TLS proxy sits in front). */
  cookieSecure: boolean;
  /** Trust X-Forwarded-* headers from a reverse proxy (client IP, https). */
  trustProxy: boolean;
  /** Cache compiled templates; off only in tests that edit views. */
  viewCache: boolean;
  /** Password hashing cost; not from the environment (tests lower it to stay fast). */
  passwordHashing: ScryptParams;
}

function flag(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === "") return false;
  if (["1", "true", "yes", "on"].includes(raw.toLowerCase())) return true;
  if (["0", "false", "no", "off"].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

export class ConfigError extends Error {}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${env.PORT}"`);
  }
  const rawRegion = (env.DEFAULT_REGION ?? "US").trim().toUpperCase();
  const defaultRegion = rawRegion === "" || rawRegion === "NONE" ? null : rawRegion;
  if (defaultRegion !== null && !isSupportedCountry(defaultRegion)) {
    throw new ConfigError(
      `DEFAULT_REGION "${rawRegion}" is not a known country code (e.g. US, GB)`,
    );
  }
  const logLevel = env.LOG_LEVEL ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  }
  const databaseUrl = env.DATABASE_URL ?? "./data/numberdesk.db";
  try {
    parseDatabaseUrl(databaseUrl);
  } catch (error) {
    if (error instanceof DatabaseUrlError) throw new ConfigError(error.message);
    throw error;
  }
  return {
    port,
    host: env.HOST ?? "127.0.0.1",
    databaseUrl,
    defaultRegion,
    supportUrl: env.SUPPORT_URL ?? "mailto:support@numberdesk.invalid",
    adminEmail: env.ADMIN_EMAIL ?? null,
    adminPassword: env.ADMIN_PASSWORD ?? null,
    logLevel,
    cookieSecure: flag("COOKIE_SECURE", env.COOKIE_SECURE),
    trustProxy: flag("TRUST_PROXY", env.TRUST_PROXY),
    viewCache: env.NODE_ENV !== "development",
    passwordHashing: DEFAULT_SCRYPT,
  };
}
