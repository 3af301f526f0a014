/**
 * Password storage as OWASP advises: scrypt (N=2^17, r=8, p=1) with a 16-byte salt, the
 * parameters stored with the hash so they can be raised later, constant-time comparison.
 * Each hash takes ~128 MiB and a few hundred ms of CPU, so at most two run at once.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    // scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is too small for N=2^17.
    maxmem: 256 * 1024 * 1024 + 128 * params.N * params.r,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** A tiny semaphore: hashing is memory-hungry, so a burst of sign-ins queues instead. */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Returns a message when the password breaks the length rule, else null. */
export function validatePassword(password: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return `Use at least ${PASSWORD_MIN_LENGTH} characters for the password.`;
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return `Use at most ${PASSWORD_MAX_LENGTH} characters for the password.`;
  }
  return null;
}

/** "scrypt$N$r$p$salt$hash" (base64url), so verification needs nothing but the string. */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await limited(() => scryptAsync(password, salt, params));
  return [
    "scrypt",
    params.N,
    params.r,
    params.p,
    salt.toString("base64url"),
    key.toString("base64url"),
  ].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const key = await limited(() => scryptAsync(password, Buffer.from(salt, "base64url"), params));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A readable random password for first start and admin resets (≈ 120 bits). */
export function generatePassword(): string {
  return randomBytes(15)
    .toString("base64url")
    .replace(/(.{5})(?=.)/g, "$1-");
}
