/**
 * Keeps README.md (the coverage map) honest: every item 1–28 is listed with at least one
 * test, every file it names exists, and every test name it gives is in that file.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { PROJECT_ROOT } from "../../src/paths.js";

const readme = readFileSync(join(PROJECT_ROOT, "test/hardening/README.md"), "utf8");
const rows = readme
  .split("\n")
  .filter((line) => line.startsWith("| ") && !line.startsWith("| ---"));
const REFERENCE = /`(test\/[^`]+\.test\.ts)` — "([^"]+)"/g;
const referencesIn = (row: string) =>
  [...row.matchAll(REFERENCE)].map((m) => ({ file: m[1] as string, name: m[2] as string }));

t.test("every item 1–28 of hardening.md is mapped to at least one test", async (t) => {
  const items = new Map<number, string>();
  for (const row of rows) {
    const item = /^\|\s*(\d+)\s*\|/.exec(row)?.[1];
    if (item) items.set(Number(item), row);
  }
  for (let item = 1; item <= 28; item++) {
    const row = items.get(item);
    t.ok(row, `item ${item} is listed`);
    t.ok(row && referencesIn(row).length > 0, `item ${item} names a test`);
  }
});

t.test("every referenced file exists and holds the referenced test", async (t) => {
  const references = rows.flatMap(referencesIn);
  t.ok(references.length > 60, `${references.length} references read`);
  const files = new Map<string, string>();
  for (const { file, name } of references) {
    const path = join(PROJECT_ROOT, file);
    if (!files.has(file)) {
      t.ok(existsSync(path), `${file} exists`);
      files.set(file, existsSync(path) ? readFileSync(path, "utf8") : "");
    }
    t.ok(files.get(file)?.includes(`"${name}"`), `${file} has the test "${name}"`);
  }
});
