import {
  type CountryCode,
  ParseError,
  type PhoneNumber,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from "libphonenumber-js/max";
import { formatNational } from "./phone-format.js";

/**
 * One typed or uploaded phone number, read the one way the whole portal reads them: the live
 * check, the Add and Delete lists and uploads all call parsePhoneInput, so a number the check
 * marks valid is exactly one the bulk run accepts (hardening.md, "Phone parsing").
 *
 * libphonenumber-js is lenient on purpose: it finds numbers inside text ("Call me +1 213…"),
 * turns "1-800-FLOWERS" into +11800 and reads "x1234", "#123" or "~4253" as extensions. None
 * of that is right for a list of numbers to add or delete, so the characters are checked here
 * first and the library only ever sees digits and separators. The "max" metadata is needed
 * because only it knows which number ranges are in use; the default one checks lengths alone.
 */
export type PhoneInput =
  | { ok: true; e164: string; national: string }
  | { ok: false; code: "INVALID_FORMAT"; message: string };

/** Longest input read at all; anything longer is surely not one phone number. */
export const PHONE_INPUT_MAX_LENGTH = 250;
/** E.164: country code and number together have at most 15 digits. */
const MAX_DIGITS = 15;
/** Without a +, an international dialling prefix comes first (up to 4 digits, e.g. 0011). */
const MAX_DIALLED_DIGITS = MAX_DIGITS + 4;
/** Beyond this, not even worth normalising: normalisation itself costs time on huge input. */
const MAX_RAW_LENGTH = 8 * PHONE_INPUT_MAX_LENGTH;

const PLUS = 0x2b;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

// Compiled once: this runs for every line of a 100,000-number upload.
const NON_ASCII = /[\u0080-\uffff]/;
// Dashes from word processors and web pages; NFKC leaves them alone.
const UNICODE_DASHES = /[\u2010-\u2015\u2212]/g;
/** What a phone number may be written with: digits, spaces, ( ) . - / and one leading +. */
const NUMBER_CHARS = /^\+?[\d ()./-]*$/;
const NUMBER_AND_LETTERS = /^\+?[\p{L}\d ()./-]*$/u;
const LETTER = /\p{L}/u;
const LIST_SEPARATORS = /[,;\n]/;
// "x1234", "ext. 1234", "extension 1234", "#123", ";ext=1234" (RFC 3966) at the end.
const EXTENSION = /(?:[\s,;]*(?:ext(?:ension|n)?\.?|x|#)\s*|;ext=)\d+$/i;

export const PHONE_INPUT_MESSAGES = {
  empty: "Enter a phone number.",
  tooLong: `This is too long for a phone number (at most ${PHONE_INPUT_MAX_LENGTH} characters).`,
  extension:
    "Extensions are not allowed: enter the phone number without its extension (x1234, ext. 1234, #123).",
  letters:
    "Letters are not allowed in a phone number: type its digits (1-800-FLOWERS is 1-800-356-9377).",
  textAround:
    "Enter the phone number alone, without text or symbols before or after it (e.g. +1 213 373 4253).",
  plusFirst: "A + may only come first, before the country code (e.g. +1 213 373 4253).",
  several: "This looks like several numbers: enter one at a time.",
  symbols: "Use only digits, spaces, a leading + and ( ) . - / in a phone number.",
  noDigitsAfterPlus: "Type the country code and number after the + (e.g. +1 213 373 4253).",
  noDigits: "Type the digits of the phone number.",
  tooManyDigits: `Too many digits: a phone number has at most ${MAX_DIGITS}, country code included.`,
  needsCountryCode:
    "Add the country code, e.g. +1 213 373 4253 or +44 20 7183 8750: there is no default country.",
  unknownCountry: "Unknown country code: check the digits after the +.",
  tooShort: "Too short for a phone number: check for a missing digit.",
  notANumber: "This is not a phone number.",
} as const;

const reject = (message: string): Extract<PhoneInput, { ok: false }> => ({
  ok: false,
  code: "INVALID_FORMAT",
  message,
});

/**
 * Reads one number: E.164 ("+12133734253") and its national form for display, or why not.
 * Numbers without a + are read as numbers of `defaultRegion`; with none, they are refused.
 */
export function parsePhoneInput(raw: string, defaultRegion: string | null): PhoneInput {
  const read = readPhone(raw, defaultRegion);
  return "phone" in read
    ? { ok: true, e164: read.phone.number, national: formatNational(read.phone.number) }
    : read;
}

/**
 * The same reading without the national form, which bulk runs never show: formatting it is
 * about a quarter of the cost of reading a number, and a run reads 100,000.
 */
export function parsePhoneE164(
  raw: string,
  defaultRegion: string | null,
): { ok: true; e164: string } | Extract<PhoneInput, { ok: false }> {
  const read = readPhone(raw, defaultRegion);
  return "phone" in read ? { ok: true, e164: read.phone.number } : read;
}

function readPhone(
  raw: string,
  defaultRegion: string | null,
): { phone: PhoneNumber } | Extract<PhoneInput, { ok: false }> {
  if (raw.length > MAX_RAW_LENGTH) return reject(PHONE_INPUT_MESSAGES.tooLong);
  // Full-width digits and + (typed with a CJK input method) become ASCII; plain ASCII, nearly
  // every line of an upload, skips the normalisation.
  let text = NON_ASCII.test(raw) ? raw.normalize("NFKC").replace(UNICODE_DASHES, "-") : raw;
  text = text.trim();
  // Our own CSV export writes "'+12133734253" so spreadsheets keep the +: read it back as-is.
  if (text.charCodeAt(0) === 0x27) text = text.slice(1).trim();
  if (text === "") return reject(PHONE_INPUT_MESSAGES.empty);
  if (text.length > PHONE_INPUT_MAX_LENGTH) return reject(PHONE_INPUT_MESSAGES.tooLong);
  if (!NUMBER_CHARS.test(text)) return reject(describeCharacters(text));

  const international = text.charCodeAt(0) === PLUS;
  const digits = countDigits(text);
  if (digits === 0) {
    return reject(
      international ? PHONE_INPUT_MESSAGES.noDigitsAfterPlus : PHONE_INPUT_MESSAGES.noDigits,
    );
  }
  if (digits > (international ? MAX_DIGITS : MAX_DIALLED_DIGITS)) {
    return reject(PHONE_INPUT_MESSAGES.tooManyDigits);
  }
  if (!international && defaultRegion === null) {
    return reject(PHONE_INPUT_MESSAGES.needsCountryCode);
  }

  let phone: PhoneNumber;
  try {
    phone = parsePhoneNumberWithError(text, {
      defaultCountry: (defaultRegion ?? undefined) as CountryCode | undefined,
      extract: false,
    });
  } catch (error) {
    if (error instanceof ParseError) return reject(describeParseError(error, international));
    throw error;
  }
  // Unreachable with the characters allowed above; kept so an extension can never slip through.
  if (phone.ext) return reject(PHONE_INPUT_MESSAGES.extension);
  if (!phone.isValid()) return reject(describeInvalid(phone, international));
  return { phone };
}

function countDigits(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= DIGIT_0 && c <= DIGIT_9) n++;
  }
  return n;
}

/** Which characters made the input something other than a phone number. */
function describeCharacters(text: string): string {
  const extension = EXTENSION.exec(text);
  if (extension && extension.index > 0) {
    const number = text.slice(0, extension.index);
    if (NUMBER_CHARS.test(number) && countDigits(number) > 0) {
      return PHONE_INPUT_MESSAGES.extension;
    }
  }
  const first = text.charCodeAt(0);
  const startsAsNumber = first === PLUS || first === 0x28 || (first >= DIGIT_0 && first <= DIGIT_9);
  // "Call me +1 213…", "=HYPERLINK(…)+1213…", "tel:+1…": something put before the number.
  if (!startsAsNumber) return PHONE_INPUT_MESSAGES.textAround;
  if (LETTER.test(text)) {
    return NUMBER_AND_LETTERS.test(text)
      ? PHONE_INPUT_MESSAGES.letters
      : PHONE_INPUT_MESSAGES.textAround;
  }
  const parts = text.split(LIST_SEPARATORS);
  if (parts.length > 1 && parts.every((part) => NUMBER_CHARS.test(part.trim()))) {
    return PHONE_INPUT_MESSAGES.several;
  }
  if (text.includes("+", 1) && NUMBER_CHARS.test(`+${text.replaceAll("+", "")}`)) {
    return PHONE_INPUT_MESSAGES.plusFirst;
  }
  return PHONE_INPUT_MESSAGES.symbols;
}

function describeParseError(error: ParseError, international: boolean): string {
  switch (error.message) {
    case "INVALID_COUNTRY":
      return international
        ? PHONE_INPUT_MESSAGES.unknownCountry
        : PHONE_INPUT_MESSAGES.needsCountryCode;
    case "TOO_SHORT":
      return PHONE_INPUT_MESSAGES.tooShort;
    case "TOO_LONG":
      return PHONE_INPUT_MESSAGES.tooManyDigits;
    default:
      return PHONE_INPUT_MESSAGES.notANumber;
  }
}

/** A number the library could read, but not one that can exist: say what is wrong with it. */
function describeInvalid(phone: PhoneNumber, international: boolean): string {
  const code = `+${phone.countryCallingCode}`;
  // A national number that is not one of the default country's may be a foreign one.
  const foreign = international
    ? ""
    : " A number in another country needs its country code, starting with +.";
  // The common case (right length, unused range) is known without parsing the number again.
  const length = phone.isPossible() ? undefined : validatePhoneNumberLength(phone.number);
  switch (length) {
    case "TOO_SHORT":
      return `Too few digits for a ${code} number: check for a missing digit.`;
    case "TOO_LONG":
      return `Too many digits for a ${code} number: check for an extra digit.${foreign}`;
    case "INVALID_LENGTH":
      return `Wrong number of digits for a ${code} number.${foreign}`;
    default:
      return `Not a valid phone number: ${phone.formatInternational()} is not in a range of numbers in use. Check for a typo.${foreign}`;
  }
}
