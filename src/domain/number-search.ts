/**
 * The dashboard's search box: any run of digits, typed in any format. "(213) 373", "373-42"
 * and "+1 213" all become digit runs; full-width digits count as digits. Anything that cannot
 * be part of a phone number (letters, quotes, =) is reported instead of being guessed at.
 */
export type DigitSearch =
  | { kind: "none" }
  | { kind: "digits"; digits: string }
  | { kind: "invalid"; message: string };

const FORMATTING = /^[\d\s+().\-/]*$/;

export function parseDigitSearch(raw: string | undefined): DigitSearch {
  const text = (raw ?? "").normalize("NFKC").trim();
  if (text === "") return { kind: "none" };
  if (!FORMATTING.test(text)) {
    return {
      kind: "invalid",
      message: "Search by digits: use only digits and the signs + - . ( ) / in the search box.",
    };
  }
  const digits = text.replace(/\D/g, "");
  if (digits === "") return { kind: "invalid", message: "Type at least one digit to search." };
  if (digits.length > 15)
    return { kind: "invalid", message: "A phone number has at most 15 digits." };
  return { kind: "digits", digits };
}
