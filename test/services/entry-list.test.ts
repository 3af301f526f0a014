import t from "tap";
import {
  buildEntryList,
  formEntries,
  LIST_SHOWN_MAX,
  runEntries,
} from "../../src/services/runs/entry-list.js";

const form = (over: Partial<Parameters<typeof formEntries>[0]>) => ({
  numbers: [],
  purposes: [],
  typed: "",
  purpose: "",
  remove: null,
  ...over,
});

t.test("the form's entries: the list's, then the typed ones, less the removed one", async (t) => {
  t.same(
    formEntries(
      form({
        numbers: ["+12133734253", "a, b"],
        purposes: ["7"],
        typed: "c\nd;e",
        purpose: "3",
      }),
    ),
    [
      { text: "+12133734253", purpose: "7" },
      { text: "a", purpose: "" },
      { text: "b", purpose: "" },
      { text: "c", purpose: "3" },
      { text: "d", purpose: "3" },
      { text: "e", purpose: "3" },
    ],
  );
  t.same(
    formEntries(form({ numbers: ["a", "b", "c"], remove: 2 })).map((e) => e.text),
    ["a", "c"],
  );
  t.same(formEntries(form({ numbers: ["a"], remove: 5 })).length, 1, "a position not there");
  t.same(formEntries(form({ numbers: [" , ;\n"], typed: "  " })), [], "blanks are no entries");
});

t.test("verdicts from the run's reader: valid, invalid, same as an earlier entry", async (t) => {
  const list = buildEntryList(
    [
      { text: "(213) 373-4253", purpose: "" },
      { text: "1-800-FLOWERS", purpose: "" },
      { text: "+1 213 373 4253", purpose: "" },
      { text: "+1 213 373 4254", purpose: "" },
    ],
    "US",
  );
  t.same(
    list.entries.map((e) => [e.position, e.verdict.ok ? e.verdict.e164 : e.verdict.message]),
    [
      [1, "+12133734253"],
      [2, list.entries[1]?.verdict.ok === false ? list.entries[1].verdict.message : "?"],
      [3, "The same number as entry 1."],
      [4, "+12133734254"],
    ],
  );
  t.match(list.entries[1]?.verdict, { ok: false, duplicate: false, message: /Letters/ });
  t.match(list.entries[2]?.verdict, { ok: false, duplicate: true });
  t.match(list.entries[0]?.verdict, { ok: true, national: "(213) 373-4253" });
  t.same([list.valid, list.skipped, list.tooLong], [2, 2, false]);
  t.same(buildEntryList([{ text: "213 373 4253", purpose: "" }], null).valid, 0, "no region");
});

t.test("a list too long to show is not read here", async (t) => {
  const entries = Array.from({ length: LIST_SHOWN_MAX + 1 }, () => ({ text: "x", purpose: "" }));
  const list = buildEntryList(entries, "US");
  t.same([list.entries.length, list.all.length, list.valid, list.tooLong], [0, 1001, null, true]);
  t.equal(buildEntryList(entries.slice(1), "US").tooLong, false, "1,000 are shown");
});

t.test("run entries keep their chosen purpose id", async (t) => {
  t.same(
    runEntries([
      { text: "a", purpose: "" },
      { text: "b", purpose: "4" },
    ]),
    [
      { line: 1, number: "a", callPurpose: null },
      { line: 2, number: "b", callPurpose: null, purposeId: "4" },
    ],
  );
});
