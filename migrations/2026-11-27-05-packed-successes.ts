import { type Kysely, sql } from "kysely";
import { inWriteTransaction, strictTable } from "../src/db/sqlite/sqlite.js";

/**
 * A job's successes, packed (issue 5's speed target): a 100,000-number run wrote 100,000
 * success rows and as many index entries (0.35 s of a 3 s run), though a success says no more
 * than its line, its input and its number. They are now one row per 1,000, a JSON array of
 * [line, input, e164] in line order; rejections keep their rows in job_outcomes. Existing
 * success rows move into packs, so old jobs read as before.
 *
 * WITHOUT ROWID: the key (job_id, pack) is the table, with no second b-tree to keep.
 */

/** Frozen here: pack p holds successes p × 1,000 … p × 1,000 + 999 of its job. */
export const SUCCESSES_PER_PACK = 1000;

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  // One transaction: a stop half-way must not leave successes both packed and as rows.
  await inWriteTransaction(db, async (trx) => {
    await trx.schema
      .createTable("job_successes")
      .addColumn("job_id", "integer", (c) => c.notNull().references("jobs.id").onDelete("cascade"))
      .addColumn("pack", "integer", (c) => c.notNull())
      .addColumn("entries", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("job_successes_key", ["job_id", "pack"])
      .modifyEnd(sql`${strictTable}, without rowid`)
      .execute();
    // Rows were written in line order, and read in id order: packs keep that order.
    await sql`
      insert into job_successes (job_id, pack, entries)
      select job_id, pack, json_group_array(json_array(line, input, e164) order by id)
      from (
        select id, job_id, line, input, e164,
          (row_number() over (partition by job_id order by id) - 1) / ${sql.lit(SUCCESSES_PER_PACK)} as pack
        from job_outcomes
        where outcome <> 'rejected'
      )
      group by job_id, pack
    `.execute(trx);
    await sql`delete from job_outcomes where outcome <> 'rejected'`.execute(trx);
  });
}

/**
 * Back to one row per outcome. Ids were in line order within a job, and the old reads page
 * by id, so every outcome is written again in (job, line) order and the old rows go.
 */
// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await inWriteTransaction(db, async (trx) => {
    const { rows } = await sql<{ last: number }>`
      select coalesce(max(id), 0) as last from job_outcomes
    `.execute(trx);
    const last = rows[0]?.last ?? 0;
    await sql`
      insert into job_outcomes (job_id, line, input, e164, outcome, code, message)
      select job_id, line, input, e164, outcome, code, message from (
        select job_id, line, input, e164, outcome, code, message
        from job_outcomes
        union all
        select s.job_id, e.value ->> 0, e.value ->> 1, e.value ->> 2,
          case j.kind when 'add' then 'added' else 'removed' end, null, null
        from job_successes s
        join jobs j on j.id = s.job_id
        join json_each(s.entries) e
      )
      order by job_id, line
    `.execute(trx);
    await sql`delete from job_outcomes where id <= ${last}`.execute(trx);
    await trx.schema.dropTable("job_successes").execute();
  });
}
