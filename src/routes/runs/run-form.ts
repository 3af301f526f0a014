import type { ListForm } from "../../services/runs/entry-list.js";

/** What the Add and Delete forms post, on both tabs (typed list and upload). */
export interface RunBody {
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
  call_purpose?: string;
  confirm?: string;
  /** The Upload tab's progress id: the page asks /runs/{progress}/progress meanwhile. */
  progress?: string;
  /** The Upload tab's file: on a multipart post @fastify/multipart puts it here as a Buffer. */
  file?: unknown;
}

export type RunKind = "delete" | "add";

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
