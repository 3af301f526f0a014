import {
  type CountryCode,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from "libphonenumber-js";

/**
 * How the portal shows a number: in national format ("(213) 373-4253") when it shares the
 * portal's country calling code (config DEFAULT_REGION, US unless set), else in international
 * format ("+44 20 7946 0959"): "020 7946 0959" on a US portal hides which country it is in.
 * With no default region every number is international.
 *
 * Formatting costs ~15 µs a number, so a 50-row page would spend most of its time here:
 * results are remembered (numbers repeat across pages and requests), and the memory is
 * dropped whole when it grows large or the home region changes.
 */
const cache = new Map<string, string>();
const CACHE_LIMIT = 100_000;
let homeCallingCode: string | null = "1";

/** Set once at start from config.defaultRegion. */
export function setHomeRegion(region: string | null): void {
  const code =
    region !== null && isSupportedCountry(region)
      ? getCountryCallingCode(region as CountryCode)
      : null;
  if (code !== homeCallingCode) cache.clear();
  homeCallingCode = code;
}

export function formatNational(e164: string): string {
  const known = cache.get(e164);
  if (known !== undefined) return known;
  const phone = parsePhoneNumberFromString(e164);
  const formatted = !phone
    ? e164
    : phone.countryCallingCode === homeCallingCode
      ? phone.formatNational()
      : phone.formatInternational();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(e164, formatted);
  return formatted;
}
