import fc from "fast-check";
import t from "tap";
import { htmlBody } from "../../src/web/html-body.js";

/** A page built as Eta builds one: thousands of small pieces joined into a rope. */
function rope(pieces: string[]): string {
  let html = "";
  for (const piece of pieces) html += piece;
  return html;
}

t.test("a page's bytes are its UTF-8, whatever characters it holds", async (t) => {
  const row =
    '<tr><td class="phone">(404) 247-7541</td><td>Claims › Renewals – 2025 — ⋮</td></tr>\n';
  const cases: Array<[string, string]> = [
    ["empty", ""],
    ["ASCII only", "<p>Numbers</p>".repeat(1_000)],
    ["a dashboard-sized page with a few 3-byte characters", rope(Array(600).fill(row))],
    ["Latin-1 (2 bytes each)", "Café Zürich ".repeat(500)],
    ["mostly 3-byte characters (past the slack)", "›–—⋮".repeat(5_000)],
    ["emoji (surrogate pairs)", "📞 call ".repeat(2_000)],
    ["a lone surrogate becomes U+FFFD, as Node's own write does", "a\uD800b"],
  ];
  for (const [name, html] of cases) {
    t.same(htmlBody(html), Buffer.from(html, "utf8"), name);
  }
});

t.test("any text encodes as Buffer.from does", async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: "binary", maxLength: 200 }), { maxLength: 50 }),
      (pieces) => {
        const html = rope(pieces);
        return htmlBody(html).equals(Buffer.from(html, "utf8"));
      },
    ),
  );
  t.pass("checked");
});
