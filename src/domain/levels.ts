/** Every page sits at a level: a business, a business unit, or a program (product.md §2). */
export type LevelKind = "business" | "unit" | "program";

/** The URL segment of each level: /businesses/:id, /units/:id, /programs/:id. */
export const LEVEL_SEGMENTS: Record<LevelKind, string> = {
  business: "businesses",
  unit: "units",
  program: "programs",
};

export interface NamedRef {
  id: number;
  name: string;
}

/** A resolved level with its ancestors, as the pages and permission checks need it. */
export interface Level {
  kind: LevelKind;
  id: number;
  business: NamedRef;
  unit: NamedRef | null;
  program: NamedRef | null;
}

export function levelPath(level: Pick<Level, "kind" | "id">): string {
  return `/${LEVEL_SEGMENTS[level.kind]}/${level.id}`;
}

/** "ACME Corp › Billing › Q4 Reminders", for titles and confirmations. */
export function levelTrail(level: Level): string {
  return [level.business, level.unit, level.program]
    .filter((ref): ref is NamedRef => ref !== null)
    .map((ref) => ref.name)
    .join(" › ");
}
