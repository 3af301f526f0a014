/**
 * Remembers answers that are costly to compute and change only when data does: exact
 * counts over 100,000 numbers, the digit-search index. Everything is forgotten at once as
 * soon as the database's version moves, so a cached answer is never older than the data.
 */
export class ReadCache {
  private version = "";
  private readonly entries = new Map<string, unknown>();

  constructor(
    /** Synchronous on SQLite; a query on PostgreSQL (see Database.dataVersion). */
    private readonly currentVersion: () => string | Promise<string>,
    private readonly maxEntries = 5_000,
  ) {}

  async get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const checking = this.checkVersion();
    if (checking) await checking;
    if (this.entries.has(key)) return this.entries.get(key) as T;
    const value = await compute();
    // Computing may have awaited a write; only keep the value if nothing moved meanwhile.
    const before = this.version;
    await this.checkVersion();
    if (this.version === before) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, value);
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
    }
  }
}
