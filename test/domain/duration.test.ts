import t from "tap";
import { isIsoDate, programStatus, validateDuration } from "../../src/domain/duration.js";

t.test("isIsoDate accepts real calendar dates only", async (t) => {
  t.ok(isIsoDate("2026-02-28"));
  t.ok(isIsoDate("2028-02-29"), "leap day");
  t.notOk(isIsoDate("2026-02-29"));
  t.notOk(isIsoDate("2026-13-01"));
  t.notOk(isIsoDate("26-01-01"));
  t.notOk(isIsoDate("2026-1-1"));
  t.notOk(isIsoDate("yesterday"));
});

t.test("validateDuration checks dates and their order", async (t) => {
  t.same(validateDuration({ startsOn: null, endsOn: null }), {}, "open-ended both sides");
  t.same(validateDuration({ startsOn: "2026-01-01", endsOn: "2026-01-01" }), {}, "one day");
  t.same(validateDuration({ startsOn: "2026-01-02", endsOn: "2026-01-01" }), {
    ends_on: "The end date must be on or after the start date.",
  });
  t.match(validateDuration({ startsOn: "2026-02-30", endsOn: null }), { starts_on: /real date/ });
  t.match(validateDuration({ startsOn: null, endsOn: "soon" }), { ends_on: /real date/ });
});

t.test("programStatus: scheduled before start, expired after end, both days active", async (t) => {
  const d = { startsOn: "2026-03-01", endsOn: "2026-03-31" };
  t.equal(programStatus(d, "2026-02-28"), "scheduled");
  t.equal(programStatus(d, "2026-03-01"), "active");
  t.equal(programStatus(d, "2026-03-31"), "active");
  t.equal(programStatus(d, "2026-04-01"), "expired");
  t.equal(programStatus({ startsOn: null, endsOn: null }, "2026-04-01"), "active");
  t.equal(programStatus({ startsOn: "2027-01-01", endsOn: null }, "2026-04-01"), "scheduled");
  t.equal(programStatus({ startsOn: null, endsOn: "2025-01-01" }, "2026-04-01"), "expired");
});
