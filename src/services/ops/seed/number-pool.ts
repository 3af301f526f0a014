import { parsePhoneNumberFromString } from "libphonenumber-js/max";

/** Large US metros, so seeded numbers read like a national calling footprint. */
const SEED_AREA_CODES: readonly string[] = [
  "213",
  "310",
  "312",
  "415",
  "512",
  "617",
  "646",
  "702",
  "206",
  "303",
  "404",
  "305",
];

const LINES_PER_EXCHANGE = 10_000;

/**
 * Exchanges the metadata accepts but that look fake or are held back in practice: N11
 * service codes, 555 (the films' exchange), 950/958/959 (carrier and test codes), 976.
 */
function isReservedExchange(exchange: number): boolean {
  return exchange % 100 === 11 || [555, 950, 958, 959, 976].includes(exchange);
}

const prefixCache = new Map<string, string[]>();

/**
 * "+1" + area code + exchange, for every pair whose numbers libphonenumber-js accepts with its
 * full ("max") metadata. US validity is decided by area code and exchange, so one sample line
 * per pair vouches for its 10,000 lines; parsing each generated number instead would cost
 * most of a million-row run.
 */
function validPrefixes(areaCodes: readonly string[] = SEED_AREA_CODES): string[] {
  const key = areaCodes.join(",");
  const cached = prefixCache.get(key);
  if (cached) return cached;
  const prefixes: string[] = [];
  for (const areaCode of areaCodes) {
    for (let exchange = 200; exchange <= 999; exchange++) {
      if (isReservedExchange(exchange)) continue;
      const prefix = `+1${areaCode}${exchange}`;
      if (parsePhoneNumberFromString(`${prefix}4567`)?.isValid()) prefixes.push(prefix);
    }
  }
  if (prefixes.length === 0) throw new Error(`No valid exchanges in area codes ${key}.`);
  prefixCache.set(key, prefixes);
  return prefixes;
}

/** Fixed keys: every run walks the same permutation, so runs starting apart never overlap. */
const ROUND_KEYS = [0x5bd1e995, 0x1b873593, 0x27d4eb2f, 0x165667b1];

function mix(value: number): number {
  let h = Math.imul(value, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/**
 * The numbers of a set of exchanges in a scattered but fixed order: index i maps to a
 * different number for every i below `size`, so a run needs no set of numbers already
 * generated, and the numbers still land all over the exchanges and line ranges like a real
 * portfolio instead of counting up from 0000.
 */
export class NumberPool {
  readonly size: number;
  private readonly halfBits: number;
  private readonly halfMask: number;

  constructor(private readonly prefixes: readonly string[] = validPrefixes()) {
    this.size = prefixes.length * LINES_PER_EXCHANGE;
    let bits = Math.max(2, Math.ceil(Math.log2(this.size)));
    if (bits % 2 === 1) bits++;
    // Kept within 30 bits so every step stays in positive 32-bit integer arithmetic.
    if (bits > 30) throw new Error("Too many exchanges for one number pool.");
    this.halfBits = bits / 2;
    this.halfMask = (1 << this.halfBits) - 1;
  }

  /** The pool's index-th number in E.164; `index` must be in [0, size). */
  numberAt(index: number): string {
    let value = this.scramble(index);
    // Cycle-walking: the Feistel network permutes a power-of-two range; applying it again
    // until the value falls inside the pool keeps the mapping one-to-one on [0, size).
    while (value >= this.size) value = this.scramble(value);
    const prefix = this.prefixes[Math.floor(value / LINES_PER_EXCHANGE)] as string;
    return prefix + String(value % LINES_PER_EXCHANGE).padStart(4, "0");
  }

  private scramble(value: number): number {
    let left = value >>> this.halfBits;
    let right = value & this.halfMask;
    for (const key of ROUND_KEYS) {
      const next = left ^ (mix(right ^ key) & this.halfMask);
      left = right;
      right = next;
    }
    return (left << this.halfBits) | right;
  }
}

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same data set. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
