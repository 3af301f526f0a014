import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import type { PhoneNumber } from "../../db/tables/numbers.js";
import { readDirectory } from "../../queries/level-names.js";
import type { NumberRow } from "../../queries/numbers.js";
import type { ReadCache } from "../read-cache.js";

type Directory = Awaited<ReturnType<typeof readDirectory>>;

interface DirectoryMaps {
  businesses: Map<number, Directory["businesses"][number]>;
  units: Map<number, Directory["units"][number]>;
  programs: Map<number, Directory["programs"][number]>;
  purposes: Map<number, Directory["purposes"][number]>;
}

/**
 * The names behind a page of numbers (business, unit, program with its display name and
 * duration, call purpose), looked up in memory instead of joining four tables for each row
 * of every page. Read once per data version; the hierarchy is small next to the numbers.
 */
export async function numberNamer(
  db: Kysely<DB>,
  cache: ReadCache,
): Promise<(row: PhoneNumber) => NumberRow> {
  const maps = await cache.get<DirectoryMaps>("directory", async () => {
    const directory = await readDirectory(db);
    return {
      businesses: new Map(directory.businesses.map((b) => [b.id, b])),
      units: new Map(directory.units.map((u) => [u.id, u])),
      programs: new Map(directory.programs.map((p) => [p.id, p])),
      purposes: new Map(directory.purposes.map((p) => [p.id, p])),
    };
  });
  return (row) => {
    const unit = row.business_unit_id === null ? undefined : maps.units.get(row.business_unit_id);
    const program = row.program_id === null ? undefined : maps.programs.get(row.program_id);
    const purpose = maps.purposes.get(row.call_purpose_id);
    return {
      id: row.id,
      e164: row.e164,
      business_id: row.business_id,
      business_unit_id: row.business_unit_id,
      program_id: row.program_id,
      call_purpose_id: row.call_purpose_id,
      created_at: row.created_at,
      updated_at: row.updated_at,
      business_name: maps.businesses.get(row.business_id)?.name ?? "",
      unit_name: unit?.name ?? null,
      program_name: program?.name ?? null,
      display_name: program?.display_name ?? null,
      starts_on: program?.starts_on ?? null,
      ends_on: program?.ends_on ?? null,
      purpose_name: purpose?.name ?? "",
      purpose_code: purpose?.code ?? null,
    };
  };
}
