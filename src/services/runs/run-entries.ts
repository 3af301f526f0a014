/**
 * The entries of a bulk run and how a run reads their numbers (run-engine.ts): each with the
 * one validator (parsePhoneE164), repeats of a number seen earlier in the run flagged
 * DUPLICATE_IN_LIST, whatever format either was written in.
 *
 * One shortcut, for deletes: an entry written exactly as the portal stores numbers (E.164,
 * "+12133734253", as in the portal's own exports) is first looked up as written. If a number
 * is stored so, that is the number: it was read by the same validator when it was added, and
 * reading it again would cost a delete upload of 100,000 numbers a second. Only an entry that
 * is not found so is read, to say whether it is no phone number or a number not there.
 */

import type { JobKind } from "../../db/tables/jobs.js";
import { type PhoneInput, parsePhoneE164 } from "../../domain/phone-input.js";
import type { RejectionCode } from "../../domain/rejections.js";

export interface RunEntry {
  /** 1-based position in what the user gave. */
  line: number;
  number: string;
  /** A call purpose given with the number (upload column), or null. */
  callPurpose: string | null;
  /** Add: a call purpose id chosen for this entry in the form's list (as posted). */
  purposeId?: string;
  /** The number already read (uploads read theirs in a worker thread), if it was. */
  parsed?: ParsedNumber;
}

/** What a run needs of a reading: the number in E.164, or why it is not one. */
export type ParsedNumber = { ok: true; e164: string } | Extract<PhoneInput, { ok: false }>;

export interface Rejection {
  code: RejectionCode;
  message: string;
}

/** Written as E.164 is stored: "+", a country code not starting with 0, 7–15 digits in all. */
const STORED_FORM = /^\+[1-9]\d{6,14}$/;

/** True when a delete may look the entry up as written before reading it (see above). */
export const mayLookUpAsWritten = (number: string): boolean => STORED_FORM.test(number);

/**
 * True when a run of `kind` is sure to read the entry's number: it is not read yet, and is not
 * one a delete looks up as written first. What an upload worker has read ahead (read-ahead.ts).
 */
export const needsReading = (kind: JobKind, entry: RunEntry): boolean =>
  entry.parsed === undefined && !(kind === "delete" && mayLookUpAsWritten(entry.number));

export class EntryReader {
  readonly #firstLine = new Map<string, number>();

  constructor(readonly defaultRegion: string | null) {}

  /** The entry's number, read now unless it was read already. */
  read(entry: RunEntry): ParsedNumber {
    return entry.parsed ?? parsePhoneE164(entry.number, this.defaultRegion);
  }

  /** The earlier entry holding `e164`, as a rejection of this one; else notes this one's. */
  claim(e164: string, line: number): Rejection | null {
    const earlier = this.#firstLine.get(e164);
    if (earlier !== undefined) {
      return { code: "DUPLICATE_IN_LIST", message: `The same number as entry ${earlier}.` };
    }
    this.#firstLine.set(e164, line);
    return null;
  }

  /** Forgets a claim made before the number was known to be one (it was not found). */
  unclaim(e164: string): void {
    this.#firstLine.delete(e164);
  }
}
