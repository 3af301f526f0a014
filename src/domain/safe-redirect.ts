/**
 * Where a `next` or `return_to` value may send the browser: one decision for every redirect
 * and back-link the portal builds from what a request carried.
 *
 * The value is resolved by the WHATWG URL parser, the same one browsers use, so whatever a
 * browser would make of it (tabs and newlines dropped, `\` read as `/`, `javascript:`) is what
 * is judged. Only a path on the portal's own origin passes, and it is rebuilt from the parsed
 * URL (path and query, percent-encoded ASCII), never echoed: no CR/LF reaches a header, no
 * tab or backslash reaches a browser. Anything else gets the caller's default place.
 */

/**
 * Stands for the portal's own origin. Which origin does not matter: a value that resolves
 * to it is relative, and would stay on whatever origin the portal is served from.
 */
const OWN_ORIGIN = "http://numberdesk.invalid";

/** Longer than any path the portal makes; a longer value is not one of ours. */
const MAX_LENGTH = 2000;

export function safeRedirect(raw: unknown, fallback = "/"): string {
  if (typeof raw !== "string" || raw === "" || raw.length > MAX_LENGTH) return fallback;
  let url: URL;
  try {
    url = new URL(raw, OWN_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== OWN_ORIGIN || url.username !== "" || url.password !== "") return fallback;
  const path = url.pathname + url.search;
  // "/.//evil.example" parses to the path "//evil.example", which as a Location would be
  // another host: a path must name a folder of ours, not look like a host.
  if (!path.startsWith("/") || path.startsWith("//") || path.includes("\\")) return fallback;
  return path;
}
