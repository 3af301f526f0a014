/**
 * Remembers answers that are costly to compute and change only when data does: exact
 * counts over 100,000 numbers, the digit-search index, a dashboard's page of rows and its
 * rendered table. Everything is forgotten at once as soon as the database's version moves,
 * so a cached answer is never older than the data.
 */

/**
 * Where an answer is kept, each space bounded by a count of its own: small answers (counts,
 * names, a session), pages of rows (tens of KB each) and rendered HTML (about 100 KB each).
 */
export type CacheSpace = "small" | "rows" | "html";

const LIMITS: Record<CacheSpace, number> = { small: 5_000, rows: 200, html: 50 };

export class ReadCache {
  private version = "";
  private readonly spaces: Record<CacheSpace, Map<string, unknown>> = {
    small: new Map(),
    rows: new Map(),
    html: new Map(),
  };

  constructor(
    /** Synchronous on SQLite; a query on PostgreSQL (see Database.dataVersion). */
    private readonly currentVersion: () => string | Promise<string>,
    private readonly limits: Record<CacheSpace, number> = LIMITS,
  ) {}

  async get<T>(
    key: string,
    compute: () => Promise<T>,
    { space = "small" }: { space?: CacheSpace } = {},
  ): Promise<T> {
    const checking = this.checkVersion();
    if (checking) await checking;
    const entries = this.spaces[space];
    if (entries.has(key)) return entries.get(key) as T;
    const value = await compute();
    // Computing may have awaited a write; only keep the value if nothing moved meanwhile.
    const before = this.version;
    await this.checkVersion();
    if (this.version === before) {
      if (entries.size >= this.limits[space]) entries.clear();
      entries.set(key, value);
    }
    return value;
  }

  private checkVersion(): void | Promise<void> {
    const now = this.currentVersion();
    // SQLite answers at once: no await, so a cached answer costs no extra turn.
    if (typeof now === "string") this.moveTo(now);
    else return now.then((version) => this.moveTo(version));
  }

  private moveTo(now: string): void {
    if (now !== this.version) {
      this.version = now;
      for (const entries of Object.values(this.spaces)) entries.clear();
    }
  }
}
