import t from "tap";
import { ACTION_CHOICES, ACTION_LABELS } from "../../src/services/audit/activity.js";
import { resolveLevel } from "../../src/services/hierarchy/levels.js";
import { createUnit } from "../../src/services/hierarchy/units.js";
import { barChart, donut, timeline } from "../../src/services/overview/charts.js";
import {
  EXPIRING_SOON_DAYS,
  expiringMessage,
  findExpiringSoon,
} from "../../src/services/overview/expiring.js";
import {
  loadOverview,
  TOP_PLACES,
  timelineTone,
  weekStart,
} from "../../src/services/overview/overview.js";
import { ReadCache } from "../../src/services/read-cache.js";
import { buildTestApp } from "../helpers/app.js";
import { insertNumber, makeTree, portalAdmin } from "../helpers/fixtures.js";

t.test("the expiring notice says how many, and by when", async (t) => {
  t.equal(
    expiringMessage(3, 1240, "2026-12-15"),
    "3 programs, 1,240 numbers, stop displaying their names by Dec 15",
  );
  t.equal(
    expiringMessage(1, 1, "2027-01-02"),
    "1 program, 1 number, stops displaying its name by Jan 2",
  );
});

t.test("timeline tones: how soon a running program ends, else its status", async (t) => {
  const on = "2026-06-01";
  t.equal(timelineTone(null, "2026-06-01", on), "tone-expiring-30", "ends today");
  t.equal(timelineTone(null, "2026-07-01", on), "tone-expiring-30", "day 30");
  t.equal(timelineTone(null, "2026-07-02", on), "tone-expiring-60", "day 31");
  t.equal(timelineTone(null, "2026-08-30", on), "tone-expiring-90");
  t.equal(timelineTone(null, "2026-09-01", on), "tone-active", "beyond 90 days");
  t.equal(timelineTone(null, null, on), "tone-active", "open-ended");
  t.equal(timelineTone("2026-06-02", "2026-06-10", on), "tone-scheduled", "not begun");
  t.equal(timelineTone(null, "2026-05-31", on), "tone-expired");
});

t.test("weeks start on Monday (UTC)", async (t) => {
  t.equal(weekStart("2026-12-02"), "2026-11-30", "a Wednesday");
  t.equal(weekStart("2026-11-30"), "2026-11-30", "a Monday");
  t.equal(weekStart("2026-12-06"), "2026-11-30", "a Sunday");
});

t.test("every action the Activity filter offers has words", async (t) => {
  const codes = ACTION_CHOICES.flatMap((c) => c.actions);
  t.same(
    codes.filter((code) => !(code in ACTION_LABELS)),
    [],
  );
  t.equal(ACTION_LABELS["job.delete"], "Bulk delete");
  t.equal(ACTION_LABELS["number.update"], "Call purpose changed");
});

t.test("chart geometry", async (t) => {
  const seg = (key: string, count: number) => ({ key, label: key, count, href: null, tone: "x" });
  const bars = barChart([seg("a", 100), seg("b", 50), seg("c", 1), seg("d", 0)]);
  const [a, b, c, d] = bars.bars;
  t.ok(a && b && c && d);
  t.equal(b?.width, (a?.width ?? 0) / 2, "widths proportional to counts");
  t.ok((c?.width ?? 0) >= 2, "one number still shows as a sliver");
  t.equal(d?.width, 0, "none shows nothing");
  t.ok((a?.y ?? 0) < (b?.y ?? 0), "in order, top to bottom");

  const ring = donut([seg("a", 3), seg("b", 1), seg("c", 0)]);
  t.equal(ring.total, 4);
  t.same(
    ring.slices.map((s) => s.title),
    ["a: 3 (75%)", "b: 1 (25%)"],
    "empty segments draw no slice",
  );
  t.ok(
    ring.slices.every((s) => s.path.startsWith("M")),
    "each slice is an SVG path",
  );

  const line = timeline(
    [
      {
        key: "p1",
        label: "P1",
        startsOn: "2026-05-01",
        endsOn: "2026-06-30",
        href: "/",
        tone: "",
        title: "",
      },
      { key: "p2", label: "P2", startsOn: null, endsOn: null, href: "/", tone: "", title: "" },
    ],
    "2026-06-01",
  );
  const [p1, p2] = line.bars;
  t.ok(p1 && p1.x < line.todayX && p1.x + p1.width > line.todayX, "a running program spans today");
  t.ok(p2?.openStart && p2.openEnd, "an open-ended program is open at both edges");
  t.ok(line.ticks.length >= 3, "the axis has dates");
});

t.test("by unit: the top ten by name, the rest as one bar", async (t) => {
  const { database, close } = await buildTestApp();
  t.teardown(close);
  const { db } = database;
  const admin = await portalAdmin(db);
  const tree = await makeTree(db);
  const business = await resolveLevel(db, admin, "business", tree.businessId);
  let e164 = 2133734200;
  for (let i = 1; i <= TOP_PLACES + 2; i++) {
    const unit = await createUnit(db, admin, business.business, {
      name: `Unit ${String(i).padStart(2, "0")}`,
    });
    // Unit i holds i numbers: units 1 and 2 are the two smallest.
    for (let n = 0; n < i; n++) {
      await insertNumber(db, `+1${e164++}`, { businessId: tree.businessId, unitId: unit.id });
    }
  }
  const cache = new ReadCache(() => "fixed");
  const overview = await loadOverview(db, cache, business);
  const place = overview.byPlace;
  t.ok(place);
  t.equal(place?.bars.length, TOP_PLACES + 1);
  t.same(place?.bars[0] && [place.bars[0].label, place.bars[0].count], ["Unit 12", 12]);
  t.same(
    place?.bars.at(-1) && [
      place.bars.at(-1)?.label,
      place.bars.at(-1)?.count,
      place.bars.at(-1)?.href,
    ],
    ["2 more units", 3, null],
  );
  t.equal(overview.total, 78);
  t.equal(
    await findExpiringSoon(db, cache, business),
    null,
    `nothing ends within ${EXPIRING_SOON_DAYS} days`,
  );
});
