/**
 * Two instances on one database racing on the same numbers (issue 14, hardening.md 34): an
 * add run, a delete run, a second add run, an edit and a single removal fired at once,
 * spread over both instances, round after round (fast-check picks who does what to which
 * numbers). After each round: no answer but the expected ones (no 500, no deadlock), each
 * number at most once, its audit trail replays to what the table holds (so nothing was lost
 * or done twice: a number that is gone is in Recently Removed), and every job's counts equal
 * the rows it changed. On SQLite (two instances on one file) and on PostgreSQL (two pools).
 */
import fc from "fast-check";
import t from "tap";
import type { Agent } from "../helpers/agent.js";
import { form } from "../helpers/app.js";
import { insertNumber, makeTree } from "../helpers/fixtures.js";
import { buildTwoInstances, sameBrowserOn } from "../helpers/instances.js";

/** Numbers in a round; each round has its own, so rounds never see each other's. */
const SIZE = 6;

const subset = fc.array(fc.boolean(), { minLength: SIZE, maxLength: SIZE });

t.test("runs, edits and removals racing over two instances", async (t) => {
  const { a, b } = await buildTwoInstances(t);
  const { db } = a.database;
  const acme = await makeTree(db, "ACME");
  const agents: [Agent, Agent] = [a.admin, sameBrowserOn(a.admin, b.app)];
  let round = 0;
  let failures = 0;

  const property = fc.asyncProperty(
    fc.record({
      initial: subset,
      added: subset,
      addedAgain: subset,
      deleted: subset,
      edited: fc.nat(SIZE - 1),
      removed: fc.nat(SIZE - 1),
      /** Which instance sends each of the five requests. */
      via: fc.array(fc.nat(1), { minLength: 5, maxLength: 5 }),
    }),
    async (plan) => {
      round++;
      const numbers = Array.from(
        { length: SIZE },
        (_, i) => `+1213728${String(1000 + round * 10 + i)}`,
      );
      const pick = (mask: boolean[]) => numbers.filter((_, i) => mask[i]);
      for (const e164 of pick(plan.initial)) {
        await insertNumber(db, e164, { businessId: acme.businessId, unitId: acme.unitId });
      }
      const idOf = async (e164: string | undefined) =>
        (
          await db
            .selectFrom("phone_numbers")
            .select("id")
            .where("e164", "=", e164 ?? "")
            .executeTakeFirst()
        )?.id ?? 0;
      const editId = await idOf(numbers[plan.edited]);
      const removeId = await idOf(numbers[plan.removed]);
      const lastJob =
        (await db.selectFrom("jobs").select("id").orderBy("id", "desc").executeTakeFirst())?.id ??
        0;
      const via = (i: number) => agents[plan.via[i] ?? 0] as Agent;
      const run = (agent: Agent, kind: "add" | "delete", list: string[]) =>
        list.length === 0
          ? Promise.resolve(null)
          : agent.inject({
              method: "POST",
              url: `/units/${acme.unitId}/numbers/${kind}`,
              ...form(
                kind === "add"
                  ? { numbers: list.join("\n"), call_purpose: "1" }
                  : { numbers: list.join("\n"), confirm: "yes" },
              ),
            });

      const [added, addedAgain, deleted, edit, removal] = await Promise.all([
        run(via(0), "add", pick(plan.added)),
        run(via(1), "add", pick(plan.addedAgain)),
        run(via(2), "delete", pick(plan.deleted)),
        editId === 0
          ? null
          : via(3).inject({
              method: "POST",
              url: `/numbers/${editId}/edit`,
              ...form({ call_purpose: "2" }),
            }),
        removeId === 0
          ? null
          : via(4).inject({ method: "POST", url: `/numbers/${removeId}/remove` }),
      ]);

      for (const res of [added, addedAgain, deleted]) {
        if (res !== null && res.statusCode !== 303)
          throw new Error(`a run answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
      }
      for (const res of [edit, removal]) {
        if (res !== null && res.statusCode !== 303 && res.statusCode !== 404) {
          throw new Error(`a change answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
        }
      }

      // Each number at most once (the unique key says so; the page must agree).
      const rows = await db
        .selectFrom("phone_numbers")
        .select(["e164", "call_purpose_id"])
        .where("e164", "in", numbers)
        .execute();
      const present = new Set(rows.map((row) => row.e164));
      if (present.size !== rows.length) throw new Error("a number is in the portal twice");

      // The audit trail, replayed from the round's start, ends where the table is.
      const events = await db
        .selectFrom("audit_events")
        .select(["id", "action", "phone_number", "summary"])
        .where("phone_number", "in", numbers)
        .orderBy("id")
        .execute();
      const replayed = new Set(pick(plan.initial));
      for (const event of events) {
        const e164 = event.phone_number ?? "";
        if (event.action === "number.add") {
          if (replayed.has(e164)) throw new Error(`${e164} added while it was there`);
          replayed.add(e164);
        } else if (event.action === "number.remove") {
          if (!replayed.delete(e164)) throw new Error(`${e164} removed while it was not there`);
        } else if (event.action === "number.update" && !replayed.has(e164)) {
          throw new Error(`${e164} edited while it was not there`);
        }
      }
      if ([...replayed].sort().join() !== [...present].sort().join()) {
        throw new Error(
          `the audit trail says ${[...replayed]} are there, the table ${[...present]}`,
        );
      }

      // Every job's counts: what it says it did is what it did.
      const jobs = await db.selectFrom("jobs").selectAll().where("id", ">", lastJob).execute();
      const succeeded = (kind: string) =>
        jobs.filter((job) => job.kind === kind).reduce((sum, job) => sum + job.succeeded, 0);
      const bulkRemovals = events.filter(
        (e) => e.action === "number.remove" && e.summary.endsWith("(bulk delete)"),
      ).length;
      const adds = events.filter((e) => e.action === "number.add").length;
      if (succeeded("add") !== adds || succeeded("delete") !== bulkRemovals) {
        throw new Error(
          `jobs say ${succeeded("add")} added and ${succeeded("delete")} removed; the rows, ${adds} and ${bulkRemovals}`,
        );
      }
      for (const job of jobs) {
        if (job.succeeded + job.rejected !== job.total) throw new Error(`job ${job.id} miscounted`);
      }
      const single = events.filter(
        (e) => e.action === "number.remove" && !e.summary.endsWith("(bulk delete)"),
      ).length;
      if (single !== (removal?.statusCode === 303 ? 1 : 0)) {
        throw new Error(`the single removal answered ${removal?.statusCode}, ${single} recorded`);
      }
      const edits = events.filter((e) => e.action === "number.update").length;
      if (edits !== (edit?.statusCode === 303 ? 1 : 0)) {
        throw new Error(`the edit answered ${edit?.statusCode}, ${edits} recorded`);
      }
    },
  );
  try {
    await fc.assert(property, { numRuns: 15, endOnFailure: true });
  } catch (error) {
    failures++;
    t.fail(String(error));
  }
  t.equal(failures, 0, `${round} rounds, every invariant held`);
  t.ok(round >= 15);
});
