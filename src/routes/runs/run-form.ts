/** What the Add and Delete forms post, on both tabs (typed list and upload). */
export interface RunBody {
  numbers?: string[];
  call_purpose?: string;
  confirm?: string;
  /** The Upload tab's progress id: the page asks /runs/{progress}/progress meanwhile. */
  progress?: string;
  /** The Upload tab's file: on a multipart post @fastify/multipart puts it here as a Buffer. */
  file?: unknown;
}

export type RunKind = "delete" | "add";
