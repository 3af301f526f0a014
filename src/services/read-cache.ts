/**
 * Remembers answers that are costly to compute and change only when data does: exact
 * counts over 100,000 numbers, the digit-search index, a dashboard's page of rows. Everything
 * is forgotten at once as soon as the database's version moves, so a cached answer is never
 * older than the data.
 */
export class ReadCache {
  private version = "";
  private readonly entries = new Map<string, unknown>();
  /** Large answers (a page of 50 rows) in a smaller space of their own: tens of KB each. */
  private readonly bulky = new Map<string, unknown>();

  constructor(
    /** Synchronous on SQLite; a query on PostgreSQL (see Database.dataVersion). */
    private readonly currentVersion: () => string | Promise<string>,
    private readonly maxEntries = 5_000,
    private readonly maxBulky = 200,
  ) {}

  /** `bulky` for answers of many rows: kept in a space bounded to `maxBulky` of them. */
  async get<T>(key: string, compute: () => Promise<T>, { bulky = false } = {}): Promise<T> {
    const checking = this.checkVersion();
    if (checking) await checking;
    const entries = bulky ? this.bulky : this.entries;
    if (entries.has(key)) return entries.get(key) as T;
    const value = await compute();
    // Computing may have awaited a write; only keep the value if nothing moved meanwhile.
    const before = this.version;
    await this.checkVersion();
    if (this.version === before) {
      if (entries.size >= (bulky ? this.maxBulky : this.maxEntries)) entries.clear();
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
      this.entries.clear();
      this.bulky.clear();
    }
  }
}
