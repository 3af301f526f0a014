import t from "tap";
import { RunProgressBoard } from "../../src/services/runs/run-progress.js";
import { UPLOAD_METER_START, uploadProgressView } from "../../src/web/upload-progress.js";

const ID = "progress-0001";

t.test("the board follows a post the page polls, and ends with its answer", async (t) => {
  const board = new RunProgressBoard();
  t.equal(board.follow(1, ID), null, "nothing posted");
  board.report(1, ID, { phase: "reading", done: 5, total: 0 });
  t.equal(board.follow(1, ID), null, "a plain post reports, but nobody follows it");
  board.begin(1, ID, "delete");
  t.same(
    board.follow(1, ID),
    { kind: "delete", status: null, open: true },
    "an earlier try's news is gone",
  );
  t.equal(board.read(1, ID), null);
  board.report(1, ID, { phase: "running", done: 2, total: 4 });
  t.same(board.follow(1, ID)?.status, { phase: "running", done: 2, total: 4 });
  t.equal(board.follow(2, ID), null, "another user's id tells nothing");
  board.end(1, ID);
  t.equal(board.follow(1, ID)?.open, false, "answered");
  board.end(3, ID);
  t.equal(board.follow(3, ID), null, "ending what nobody followed makes nothing up");
});

t.test("the board forgets the oldest first once it holds too many", async (t) => {
  const board = new RunProgressBoard();
  for (let i = 0; i <= 10_000; i++) board.begin(1, `progress-${i}`, "add");
  t.equal(board.follow(1, "progress-0"), null, "the first is gone");
  t.ok(board.follow(1, "progress-10000"), "the last is kept");
});

t.test("what the fragment shows, and whether it asks again", async (t) => {
  t.same(uploadProgressView(null), { again: false, meter: null }, "not followed: stop");
  const open = { kind: "delete" as const, open: true };
  t.same(
    uploadProgressView({ ...open, status: null }),
    { again: true, meter: null },
    "the file is still arriving: ask on, the browser's own bar stays",
  );
  t.same(uploadProgressView({ ...open, status: { phase: "reading", done: 1234, total: 0 } }), {
    again: true,
    meter: { value: null, max: 1, words: "Reading the file… 1,234 numbers so far" },
  });
  t.same(uploadProgressView({ ...open, status: { phase: "waiting", done: 0, total: 20_000 } }), {
    again: true,
    meter: {
      value: null,
      max: 1,
      words: "20,000 numbers read; waiting for another change to finish…",
    },
  });
  t.same(uploadProgressView({ ...open, status: { phase: "running", done: 5, total: 20 } }), {
    again: true,
    meter: { value: 5, max: 20, words: "Deleting 5 of 20 numbers…" },
  });
  t.equal(
    uploadProgressView({ kind: "add", open: true, status: { phase: "running", done: 0, total: 0 } })
      .meter?.words,
    "Adding 0 of 0 numbers…",
  );
  const done = { phase: "done" as const, done: 20, total: 20 };
  for (const stillOpen of [true, false]) {
    t.same(uploadProgressView({ ...open, open: stillOpen, status: done }), {
      again: false,
      meter: { value: 1, max: 1, words: "Done: 20 numbers. Opening the result…" },
    });
  }
  t.same(
    uploadProgressView({ ...open, open: false, status: { phase: "running", done: 5, total: 20 } }),
    { again: false, meter: UPLOAD_METER_START },
    "answered without a result: stop, the bar ready for the next try",
  );
});
