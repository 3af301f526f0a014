import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { listBusinessNumberDigits } from "../../queries/numbers.js";
import type { ReadCache } from "../read-cache.js";

/**
 * Digit search without scanning the table: each business's numbers are kept as one string
 * of fixed-width slots ("+12133734253    +13105550123    …", newest first), in which
 * String.indexOf finds a run of digits across 100,000 numbers in well under a millisecond.
 * A slot's '+' and padding can never be part of a digit run, so matches never straddle two
 * numbers. Built on first use and dropped by the read cache whenever the data changes.
 *
 * (An FTS5 trigram index did the same in SQL, but its triggers made every insert ~7× slower,
 * which a 100,000-number upload cannot afford.)
 */
const SLOT = 16;

interface DigitIndex {
  ids: Int32Array;
  text: string;
}

async function buildIndex(db: Kysely<DB>, businessId: number): Promise<DigitIndex> {
  const rows = await listBusinessNumberDigits(db, businessId);
  const ids = new Int32Array(rows.length);
  const parts: string[] = new Array(rows.length);
  rows.forEach((row, i) => {
    ids[i] = row.id;
    parts[i] = row.e164.padEnd(SLOT, " ");
  });
  return { ids, text: parts.join("") };
}

/** More matches than this and the search falls back to SQL (a list of ids would be huge). */
const MAX_INDEX_MATCHES = 5_000;

/**
 * Ids of the business's numbers whose E.164 contains `digits`, newest first; null when more
 * than MAX_INDEX_MATCHES match (the caller then filters in SQL instead).
 */
export async function matchDigits(
  db: Kysely<DB>,
  cache: ReadCache,
  businessId: number,
  digits: string,
): Promise<number[] | null> {
  // Paging through one search asks the same question again: answer it from memory.
  return cache.get(`digit-matches:${businessId}:${digits}`, async () => {
    const index = await cache.get(`digit-index:${businessId}`, () => buildIndex(db, businessId));
    return findInIndex(index, digits);
  });
}

function findInIndex(index: DigitIndex, digits: string): number[] | null {
  const matches: number[] = [];
  let lastSlot = -1;
  for (let at = index.text.indexOf(digits); at !== -1; at = index.text.indexOf(digits, at + 1)) {
    const slot = Math.floor(at / SLOT);
    if (slot === lastSlot) continue;
    lastSlot = slot;
    matches.push(index.ids[slot] as number);
    if (matches.length > MAX_INDEX_MATCHES) return null;
  }
  return matches;
}
