/**
 * Ground for the property tests: two businesses, each with two units of two programs, every
 * place with a name no other place contains (so a name on a page says which place leaked).
 */
import type { Kysely } from "kysely";
import type { DB } from "../../src/db/database.js";
import { parsePhoneInput } from "../../src/domain/phone-input.js";
import { createBusiness } from "../../src/services/hierarchy/businesses.js";
import { resolveLevel } from "../../src/services/hierarchy/levels.js";
import { createProgram } from "../../src/services/hierarchy/programs.js";
import { createUnit } from "../../src/services/hierarchy/units.js";
import { callPurposeId, portalAdmin } from "../helpers/fixtures.js";

export type LevelKind = "business" | "unit" | "program";
export const SEGMENT: Record<LevelKind, string> = {
  business: "businesses",
  unit: "units",
  program: "programs",
};

/** Where a number sits (unit and program null at business level). */
export interface Place {
  business: number;
  unit: number | null;
  program: number | null;
}

export interface TreeLevel {
  kind: LevelKind;
  id: number;
  name: string;
  /** The program's display name (what a phone shows), or null. */
  displayName: string | null;
  place: Place;
}

const SHAPE = [
  {
    name: "Acme Corp",
    units: [
      { name: "Amberly", programs: ["Kestrel", "Lynxmoor"] },
      { name: "Azurite", programs: ["Martenby", "Narwhale"] },
    ],
  },
  {
    name: "Globex Corp",
    units: [
      { name: "Goldcrest", programs: ["Ospreyton", "Puffinly"] },
      { name: "Greenock", programs: ["Quokkaro", "Ravenhill"] },
    ],
  },
] as const;

/** Builds the 2 × 2 × 2 tree through the services; levels in tree order. */
export async function buildTree(db: Kysely<DB>): Promise<TreeLevel[]> {
  const admin = await portalAdmin(db);
  const purpose = String(await callPurposeId(db, "customer_service"));
  const levels: TreeLevel[] = [];
  for (const b of SHAPE) {
    const business = await createBusiness(db, admin, { name: b.name });
    levels.push({
      kind: "business",
      id: business.id,
      name: b.name,
      displayName: null,
      place: { business: business.id, unit: null, program: null },
    });
    for (const u of b.units) {
      const unit = await createUnit(db, admin, business, { name: u.name });
      levels.push({
        kind: "unit",
        id: unit.id,
        name: u.name,
        displayName: null,
        place: { business: business.id, unit: unit.id, program: null },
      });
      const unitLevel = await resolveLevel(db, admin, "unit", unit.id);
      for (const p of u.programs) {
        const program = await createProgram(db, admin, unitLevel, {
          name: p,
          display_name: `${p} Calls`,
          call_purpose: purpose,
          starts_on: "2026-01-01",
          ends_on: "",
        });
        levels.push({
          kind: "program",
          id: program.id,
          name: p,
          displayName: `${p} Calls`,
          place: { business: business.id, unit: unit.id, program: program.id },
        });
      }
    }
  }
  return levels;
}

/** True when `place` lies inside `level` (a level contains its units' and programs' numbers). */
export function within(place: Place, level: Place): boolean {
  if (place.business !== level.business) return false;
  if (level.unit !== null && place.unit !== level.unit) return false;
  if (level.program !== null && place.program !== level.program) return false;
  return true;
}

/** Valid Los Angeles numbers (checked with the portal's own parser), in E.164. */
export function numberPool(count: number, from = 1000): string[] {
  const pool = Array.from({ length: count }, (_, i) => `+1213728${String(from + i)}`);
  for (const e164 of pool) {
    const parsed = parsePhoneInput(e164, "US");
    if (!parsed.ok || parsed.e164 !== e164) throw new Error(`${e164} is not a valid number`);
  }
  return pool;
}

/** Every pool number a page shows, in E.164 or national format ("(213) 728-1001"). */
export function poolNumbersIn(body: string): Set<string> {
  const found = new Set<string>();
  for (const m of body.matchAll(/\+1213728(\d{4})/g)) found.add(`+1213728${m[1]}`);
  for (const m of body.matchAll(/\(213\) 728-(\d{4})/g)) found.add(`+1213728${m[1]}`);
  return found;
}

/** A tiny CSV reader for the portal's own exports (quotes, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** CSV rows as records keyed by the header's names. */
export function csvRecords(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""])));
}

/** A multipart/form-data body as a browser sends it: the fields, then one file. */
export function multipart(
  fields: Record<string, string>,
  file: { content: string; filename?: string },
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----numberdesk${Math.random().toString(16).slice(2)}`;
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename ?? "numbers.csv"}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`,
    `--${boundary}--\r\n`,
  );
  return {
    payload: Buffer.from(parts.join(""), "utf8"),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}
