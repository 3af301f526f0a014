import type { Overview } from "../services/overview/overview.js";
import { levelJson } from "./page-json.js";

/** The Overview's counts for scripts: the numbers behind each chart, without its geometry. */
export function overviewJson(o: Overview) {
  const counts = (segments: Array<{ key: string; label: string; count: number }>) =>
    segments.map((s) => ({ key: s.key, label: s.label, count: s.count }));
  return {
    level: levelJson(o.level),
    today: o.today,
    total: o.total,
    by_status: Object.fromEntries(o.byStatus.segments.map((s) => [s.key, s.count])),
    by_call_purpose: counts(o.byPurpose.bars),
    by_place: o.byPlace ? counts(o.byPlace.bars) : null,
    programs: o.timeline.bars.map((b) => ({
      key: b.key,
      name: b.label,
      starts_on: b.startsOn,
      ends_on: b.endsOn,
      highlight: b.tone.replace(/^tone-/, ""),
    })),
    programs_not_shown: o.timeline.more,
    weeks: o.weeks.weeks.map((w) => ({ week_of: w.start, added: w.added, removed: w.removed })),
    expiring_soon: o.expiringSoon && {
      programs: o.expiringSoon.programs,
      numbers: o.expiringSoon.numbers,
      by: o.expiringSoon.by,
      message: o.expiringSoon.message,
    },
  };
}
