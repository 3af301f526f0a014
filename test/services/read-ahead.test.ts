/**
 * Reading a run's numbers in a second thread while it writes (src/services/read-ahead.ts): the
 * run takes each chunk as it reaches it, the numbers read exactly as the run would read them
 * itself, and a reader that stalls only makes the run read the rest itself.
 */
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import t from "tap";
import { parsePhoneE164 } from "../../src/domain/phone-input.js";
import { needsReading, type RunEntry } from "../../src/services/runs/run-entries.js";
import {
  CLAIMS,
  READ_AHEAD_CHUNK,
  ReadAhead,
  startNumberReader,
} from "../../src/services/runs/threads/read-ahead.js";

/** Valid numbers, with a few that are not (and one left for the run to look up as written). */
function entries(count: number): RunEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const number =
      i % 997 === 5 ? "not a number" : i % 1_499 === 7 ? "(213) 555-01" : `213${3_000_000 + i}`;
    return { line: i + 2, number, callPurpose: null };
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The entries that differ from what the one validator reads on this thread. */
const misread = (list: RunEntry[]) =>
  list.filter(
    (entry) =>
      entry.parsed !== undefined &&
      JSON.stringify(entry.parsed) !== JSON.stringify(parsePhoneE164(entry.number, "US")),
  );

t.test("the reader reads every chosen entry, chunk by chunk, as the run reaches it", async (t) => {
  const reader = startNumberReader();
  t.teardown(() => reader.terminate());
  const list = entries(READ_AHEAD_CHUNK * 2 + 345);
  const skipped = 10; // an entry the run looks up as written: left unread
  const ahead = new ReadAhead(reader, list, "US", (entry) => entry.line !== skipped + 2);
  t.teardown(() => ahead.close());
  // Given time, the reader reads all three chunks before the run asks for any.
  while (ahead.posted < 3) await sleep(10);

  ahead.upTo(0);
  t.ok(list[0]?.parsed, "the first chunk is there once the run asks for it");
  ahead.upTo(list.length - 1);
  t.equal(ahead.claimedByRun, 0, "the run read none itself");
  t.equal(list[skipped]?.parsed, undefined, "an entry not chosen is left unread");
  t.equal(list.filter((entry) => entry.parsed !== undefined).length, list.length - 1);
  t.same(misread(list), [], "every number read as the one validator reads it on this thread");
  t.ok(
    list.some((entry) => entry.parsed?.ok === false),
    "rejections come back with their codes too",
  );
  ahead.upTo(list.length + 10); // past the end: nothing to take, no wait
});

t.test("a chunk the reader has not begun is the run's: it reads it itself", async (t) => {
  // A reader that takes the task and never reads: the run claims every chunk, at once.
  const idle = new Worker("require('node:worker_threads').parentPort.on('message', () => {})", {
    eval: true,
  });
  t.teardown(() => idle.terminate());
  const list = entries(READ_AHEAD_CHUNK + 50);
  const ahead = new ReadAhead(idle, list, "US", () => true, 60_000);
  t.teardown(() => ahead.close());
  ahead.upTo(list.length - 1);
  t.equal(ahead.claimedByRun, 2, "both chunks claimed by the run, without waiting");
  t.equal(ahead.stalled, false);
  t.ok(
    list.every((entry) => entry.parsed === undefined),
    "left for the run to read",
  );

  // Both at once, on a real reader: every chunk is read once, by one of them.
  const reader = startNumberReader();
  t.teardown(() => reader.terminate());
  const many = entries(READ_AHEAD_CHUNK * 20);
  const shared = new ReadAhead(reader, many, "US", () => true);
  t.teardown(() => shared.close());
  await sleep(20);
  for (let i = 0; i < many.length; i += 500) shared.upTo(i);
  const byReader = new Set(
    many.flatMap((entry, i) => (entry.parsed ? [Math.floor(i / READ_AHEAD_CHUNK)] : [])),
  );
  t.equal(byReader.size + shared.claimedByRun, 20, "each chunk read by the reader or the run");
  t.same(misread(many), []);
});

t.test(
  "a reader that stops mid-chunk: the run waits for it, then reads the rest itself",
  async (t) => {
    // Claims the first chunk, as a reader does before reading it, says so, and never posts it.
    const stuck = new Worker(
      `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', ({ shared }) => {
       Atomics.store(new Int32Array(shared), ${CLAIMS}, 1);
       parentPort.postMessage('claimed');
     })`,
      { eval: true },
    );
    t.teardown(() => stuck.terminate());
    const list = entries(50);
    const claimed = once(stuck, "message");
    const ahead = new ReadAhead(stuck, list, "US", () => true, 200);
    t.teardown(() => ahead.close());
    await claimed;
    const started = Date.now();
    ahead.upTo(0);
    t.equal(ahead.stalled, true, "the run gave up on the reader");
    t.ok(Date.now() - started >= 150, "after waiting for it");
    ahead.upTo(49);
    t.equal(list[0]?.parsed, undefined, "nothing attached: the run reads each entry itself");
  },
);

t.test(
  "what is read ahead: every number of an add; of a delete, all but those written as stored",
  async (t) => {
    const list: RunEntry[] = [
      "+12133734253",
      "(213) 373-4254",
      "+1 213 373 4255",
      "+15555555555",
      "abc",
    ].map((number, i) => ({ line: i + 2, number, callPurpose: null }));
    const read = (kind: "add" | "delete") =>
      list.filter((entry) => needsReading(kind, entry)).map((entry) => entry.number);
    t.same(
      read("add"),
      list.map((entry) => entry.number),
    );
    // Looked up as written first; read by the run only if not found (run-entries.ts).
    t.same(read("delete"), ["(213) 373-4254", "+1 213 373 4255", "abc"]);
    const already: RunEntry = {
      line: 9,
      number: "x",
      callPurpose: null,
      parsed: { ok: true, e164: "+12133734253" },
    };
    t.equal(needsReading("add", already), false, "an entry read already is not read again");
  },
);
