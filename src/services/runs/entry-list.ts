/**
 * The Manual tab's list (the Delete List, the Add List), built on the server: what the form
 * posted is read into entries, each with its verdict from the run's own reader (run-entries.ts:
 * the one validator, the same "same as entry 1" rule), so the list promises what the run does.
 *
 * The form posts the list as it stands (one `numbers` field per entry, with its call purpose in
 * the matching `purposes` field on the Add page), what was typed in the number field (`number`:
 * one number, or many pasted, separated by new lines, commas or semicolons) and, for ✕, the
 * position of the entry to drop (`remove`). A script's single `numbers` text works the same way.
 */
import { formatNational } from "../../domain/phone-format.js";
import { EntryReader, type ParsedNumber, type RunEntry } from "./run-entries.js";

/** Longer lists are not shown entry by entry: the page points to Upload instead. */
export const LIST_SHOWN_MAX = 1_000;

/** The run's own split (one number per line, or separated by commas or semicolons). */
export const splitEntries = (text: string): string[] =>
  text
    .split(/[\r\n,;]+/)
    .map((part) => part.trim())
    .filter((part) => part !== "");

/** What the Manual tab's form posts (routes/runs/manual-tab.ts names the fields). */
export interface ListForm {
  /** The list's entries, one per field, or a script's text of many. */
  numbers: string[];
  /** Add: the call purpose id of each `numbers` field ("" or missing: `purpose`). */
  purposes: string[];
  /** What was typed or pasted in the number field, not yet in the list. */
  typed: string;
  /** Add: the call purpose chosen for new entries (an id, or "" for the level's default). */
  purpose: string;
  /** 1-based position of an entry to drop (✕), if any. */
  remove: number | null;
}

export interface FormEntry {
  text: string;
  /** Add: a call purpose id, or "" for the form's default. */
  purpose: string;
}

type Verdict =
  | { ok: true; e164: string; national: string }
  | { ok: false; message: string; duplicate: boolean };

interface ListedEntry extends FormEntry {
  /** 1-based, as the run numbers its entries (and as "same as entry 1" counts). */
  position: number;
  verdict: Verdict;
}

export interface EntryList {
  /** Empty when the list is too long to show (`tooLong`). */
  entries: ListedEntry[];
  /** Every entry, shown or not, in order: what the form posts back. */
  all: FormEntry[];
  /** Entries a run would act on: valid, each number once (null when too long to read here). */
  valid: number | null;
  /** Entries a run would reject before looking at the portal: not valid, or repeated. */
  skipped: number | null;
  tooLong: boolean;
}

/**
 * The form's entries in order: the list's, then what was typed (with the form's purpose), less
 * the one removed. A field holding several entries gives each of them its purpose.
 */
export function formEntries(form: ListForm): FormEntry[] {
  const entries: FormEntry[] = [];
  form.numbers.forEach((field, index) => {
    const purpose = form.purposes[index] ?? "";
    for (const text of splitEntries(field)) entries.push({ text, purpose });
  });
  for (const text of splitEntries(form.typed)) entries.push({ text, purpose: form.purpose });
  if (form.remove !== null) entries.splice(form.remove - 1, 1);
  return entries;
}

/**
 * Readings of entries already shown: a list is re-rendered whole at every Add or ✕, and
 * reading a number is most of that cost, while its reading never changes. Bounded; the
 * oldest readings go first.
 */
const READINGS_KEPT = 20_000;
const readings = new Map<string, ParsedNumber>();

function readingOf(reader: EntryReader, text: string): ParsedNumber {
  const key = `${reader.defaultRegion ?? ""}\u0000${text}`;
  let parsed = readings.get(key);
  if (parsed === undefined) {
    parsed = reader.read({ line: 0, number: text, callPurpose: null });
    if (readings.size >= READINGS_KEPT) readings.delete(readings.keys().next().value as string);
    readings.set(key, parsed);
  }
  return parsed;
}

/** The entries with their verdicts, as the run will read them. */
export function buildEntryList(entries: FormEntry[], defaultRegion: string | null): EntryList {
  // A long list is read by its run, in a worker thread: reading it here would hold the page.
  if (entries.length > LIST_SHOWN_MAX) {
    return { entries: [], all: entries, valid: null, skipped: null, tooLong: true };
  }
  const reader = new EntryReader(defaultRegion);
  const listed: ListedEntry[] = [];
  let valid = 0;
  entries.forEach((entry, index) => {
    const position = index + 1;
    const parsed = readingOf(reader, entry.text);
    let verdict: Verdict;
    if (!parsed.ok) verdict = { ok: false, message: parsed.message, duplicate: false };
    else {
      const repeat = reader.claim(parsed.e164, position);
      verdict = repeat
        ? { ok: false, message: repeat.message, duplicate: true }
        : { ok: true, e164: parsed.e164, national: formatNational(parsed.e164) };
    }
    if (verdict.ok) valid++;
    listed.push({ ...entry, position, verdict });
  });
  return { entries: listed, all: entries, valid, skipped: entries.length - valid, tooLong: false };
}

/**
 * The run's entries. An Add entry's purpose id becomes its call purpose (an id not offered is
 * then rejected by the run as UNKNOWN_CALL_PURPOSE); "" leaves it to the run's default.
 */
export function runEntries(entries: FormEntry[]): RunEntry[] {
  return entries.map((entry, index) => ({
    line: index + 1,
    number: entry.text,
    callPurpose: null,
    ...(entry.purpose === "" ? {} : { purposeId: entry.purpose }),
  }));
}
