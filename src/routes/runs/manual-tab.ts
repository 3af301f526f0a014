/**
 * The Manual tab: what its form posts (RunBody, read by listFormOf) and its page and fragments
 * (views/manage/add.eta, delete.eta, _entry-list.eta, _confirm-delete.eta): what manage.ts
 * answers with, in one place so every answer carries the same data.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { JobKind } from "../../db/tables/jobs.js";
import { type Level, levelPath, levelTrail } from "../../domain/levels.js";
import { purposeChoices } from "../../services/hierarchy/call-purposes.js";
import { type EntryList, LIST_SHOWN_MAX, type ListForm } from "../../services/runs/entry-list.js";
import type { NavKey } from "../../web/navigation.js";
import type { UploadBody } from "./upload-tab.js";

/** What the Add and Delete forms post, on both tabs (the list's fields and the upload's). */
export interface RunBody extends UploadBody {
  /** The list's entries, one per field, or one text of many (newlines, commas, semicolons). */
  numbers?: string[];
  /** Add: each `numbers` field's call purpose id, in the same order. */
  purposes?: string[];
  /** The number field: typed or pasted, not yet in the list. */
  number?: string;
  /** The entry ✕ removes from the list (its 1-based position). */
  remove?: string;
  /** Which list button was pressed (add, check): the same answer either way. */
  list?: string;
}

export type RunKind = JobKind;

/** `numbers` and `purposes` may be repeated; everything else comes once. */
export const RUN_SCHEMA = {
  body: {
    type: ["object", "null"],
    properties: {
      numbers: { type: "array", items: { type: "string" } },
      purposes: { type: "array", items: { type: "string", maxLength: 20 } },
      number: { type: "string" },
      remove: { type: "string", maxLength: 7 },
      list: { type: "string", maxLength: 10 },
      call_purpose: { type: "string", maxLength: 20 },
      confirm: { type: "string", maxLength: 10 },
      progress: { type: "string", maxLength: 64 },
    },
  },
};

/** The posted form as the list reads it (services/runs/entry-list.ts). */
export function listFormOf(body: RunBody | null | undefined): ListForm {
  const remove = body?.remove ?? "";
  return {
    numbers: body?.numbers ?? [],
    purposes: body?.purposes ?? [],
    typed: body?.number ?? "",
    purpose: body?.call_purpose ?? "",
    remove: /^[1-9]\d{0,6}$/.test(remove) ? Number(remove) : null,
  };
}

/** What the tab shows besides the level: the list, and what the form said last. */
export interface TabState {
  list: EntryList;
  /** Add: the call purpose for new entries (an id, or ""). */
  purpose: string;
  error?: string | null;
  purposeError?: string | null;
  /** The number field takes focus (after Add to list or ✕, it is where the next one goes). */
  focusField?: boolean;
  /** Said to screen readers after the list changed. */
  status?: string;
  /** An htmx post aimed elsewhere (the dialog) shows the list instead: it holds the reason. */
  retarget?: boolean;
}

/** The confirmation lists this many numbers; the count covers them all. */
const PREVIEW = 20;

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

export function manualTab(app: FastifyInstance) {
  async function dataOf(kind: RunKind, level: Level, state: TabState) {
    const action = `${levelPath(level)}/numbers/${kind}`;
    return {
      title: `${kind === "delete" ? "Delete" : "Add"} phone numbers · ${levelTrail(level)}`,
      level,
      nav: (kind === "delete" ? "delete-numbers" : "add-numbers") as NavKey,
      kind,
      action,
      listAction: `${action}/list`,
      place: levelTrail(level),
      list: state.list,
      typed: "",
      purpose: state.purpose,
      purposes: kind === "add" ? await purposeChoices(app.db) : [],
      error: state.error ?? null,
      purposeError: state.purposeError ?? null,
      focusField: state.focusField ?? false,
      status: state.status ?? "",
      shownMax: LIST_SHOWN_MAX.toLocaleString("en-US"),
      // The number field's Enter adds to the list (public/js/entry-list.js).
      scripts: ["/static/js/entry-list.js"],
    };
  }

  return {
    /** The tab's page, or for htmx the list alone (with its status said out of band). */
    async answer(reply: FastifyReply, kind: RunKind, level: Level, state: TabState) {
      const data = await dataOf(kind, level, state);
      if (reply.request.isFragment) {
        if (state.retarget) {
          reply.header("HX-Retarget", "#entry-list-region").header("HX-Reswap", "outerHTML");
        }
        return reply.fragment("manage/_entry-list", { ...data, oob: true });
      }
      return reply.page(kind === "delete" ? "manage/delete" : "manage/add", data);
    },

    /** The tab's list emptied, swapped out of band behind a run's result (its entries ran). */
    async emptied(kind: RunKind, level: Level, purpose: string, empty: EntryList) {
      return { ...(await dataOf(kind, level, { list: empty, purpose })), oobRegion: true };
    },

    /** "Delete 3 numbers? 2 entries will be skipped": a dialog with htmx, else a page. */
    async confirmDelete(reply: FastifyReply, level: Level, list: EntryList) {
      const valid = list.entries.filter((e) => e.verdict.ok);
      return reply.dialog("manage/_confirm-delete", {
        title: "Delete these numbers?",
        level,
        nav: "delete-numbers",
        action: `${levelPath(level)}/numbers/delete`,
        place: levelTrail(level),
        list,
        preview: valid
          .slice(0, PREVIEW)
          .map((e) => (e.verdict.ok ? { e164: e.verdict.e164, national: e.verdict.national } : {})),
        more: Math.max(0, valid.length - PREVIEW),
      });
    },

    /** What changed, for screen readers: added or removed entries, and the list's count. */
    statusOf(list: EntryList, before: number, form: ListForm): string {
      const total = plural(list.all.length, "entry", "entries");
      if (form.remove !== null) return `Removed entry ${form.remove}. ${total} in the list.`;
      const added = list.all.length - before;
      if (added > 0) return `Added ${plural(added, "entry", "entries")}. ${total} in the list.`;
      return `Checked: ${total} in the list.`;
    },
  };
}

export type ManualTab = ReturnType<typeof manualTab>;
