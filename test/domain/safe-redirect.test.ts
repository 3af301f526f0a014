/**
 * Property: whatever string a request carries as `next` or `return_to`, safeRedirect answers
 * the default or a plain path of printable ASCII that every origin resolves to itself, so no
 * browser normalisation (tabs and newlines dropped, `\` read as `/`) can make it another host.
 */
import fc from "fast-check";
import t from "tap";
import { safeRedirect } from "../../src/domain/safe-redirect.js";

/** Pieces that browsers and URL parsers treat specially, mixed with ordinary path text. */
const piece = fc.oneof(
  { arbitrary: fc.constantFrom("/", "//", "\\", "/\\", "\\\\", "./", "../", "/."), weight: 4 },
  {
    arbitrary: fc.constantFrom("\t", "\r", "\n", "\r\n", "\0", " ", "\u000b", "\u007f"),
    weight: 3,
  },
  {
    arbitrary: fc.constantFrom("%2F", "%2f", "%5C", "%09", "%0d%0a", "%00", "%252F", "%"),
    weight: 3,
  },
  // Look-alikes: fullwidth solidus and reverse solidus, fraction slash, division slash, and
  // characters that NFKC-normalise into slashes or dots inside a host.
  {
    arbitrary: fc.constantFrom("／", "＼", "⁄", "∕", "。", "．", "\u2028", "\u202e", "\ufeff"),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom(
      "javascript:",
      "JaVaScRiPt:",
      "data:",
      "http:",
      "https:",
      "mailto:",
      ":",
    ),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom("evil.example", "@evil.example", "user:pw@", "?", "#", "&next=//x"),
    weight: 3,
  },
  { arbitrary: fc.constantFrom("numbers", "businesses/1/numbers", "q=1", "é", "日本"), weight: 3 },
  { arbitrary: fc.string({ maxLength: 4 }), weight: 2 },
);
const hostile = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(""));

const FALLBACK = "/home-of-test";

/** What a browser on this origin makes of a Location header it is given. */
const landsOn = (location: string, origin: string) => new URL(location, origin).origin;

t.test("any string: the default, or a same-origin path rebuilt as printable ASCII", async (t) => {
  let offSite = 0;
  let kept = 0;
  fc.assert(
    fc.property(hostile, (raw) => {
      const out = safeRedirect(raw, FALLBACK);
      if (out === FALLBACK) return true;
      kept++;
      // Printable ASCII only: no CR/LF for a header, no tab or backslash for a browser to fix.
      if (!/^\/[\x21-\x7e]*$/.test(out)) return false;
      if (out.startsWith("//") || out.includes("\\")) return false;
      // Stays home on two different origins, so it is relative, not a host in disguise.
      for (const origin of ["https://portal.example", "http://127.0.0.1:3000"]) {
        if (landsOn(out, origin) !== origin) offSite++;
      }
      // Rebuilt, not echoed: reading it again gives it back unchanged.
      return safeRedirect(out, FALLBACK) === out;
    }),
    { numRuns: 5000 },
  );
  t.equal(offSite, 0, "no kept value resolves to another origin");
  t.ok(kept > 100, `the generator also makes values that pass (${kept} of 5000)`);
});

t.test("known attacks fall back; plain paths and queries are kept", async (t) => {
  const refused = [
    "/\t/evil.example/link",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/.//evil.example",
    " //evil.example",
    "\n//evil.example",
    "/\r\n/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,x",
    "http://numberdesk.invalid@evil.example/",
    "",
    "x".repeat(2001),
  ];
  for (const raw of refused) t.equal(safeRedirect(raw, FALLBACK), FALLBACK, JSON.stringify(raw));
  t.equal(safeRedirect(undefined, FALLBACK), FALLBACK, "missing");
  t.equal(safeRedirect(["/a", "/b"], FALLBACK), FALLBACK, "repeated (an array)");

  t.equal(safeRedirect("/businesses/1/numbers?q=12&page=2"), "/businesses/1/numbers?q=12&page=2");
  t.equal(safeRedirect("/units/1/numbers#top"), "/units/1/numbers", "the fragment is dropped");
  t.equal(
    safeRedirect("/a\r\nSet-Cookie: x=1"),
    "/aSet-Cookie:%20x=1",
    "CR/LF never reach a header",
  );
  t.equal(safeRedirect("/numbers?q=é"), "/numbers?q=%C3%A9", "non-ASCII is percent-encoded");
  t.equal(safeRedirect("/a/../b"), "/b", "dot segments resolved as a browser would");
  t.equal(safeRedirect("/%09/evil.example"), "/%09/evil.example", "an encoded tab stays a path");
  t.equal(safeRedirect("http:evil.example"), "/evil.example", "a scheme-relative path is ours");
});
