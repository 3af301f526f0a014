/**
 * What the Upload tab's progress fragment (views/manage/_upload-progress.eta) shows, and
 * whether it asks again: it polls itself while the form's post is open, and the server stops
 * it with 286 (htmx 2) and an answer without a trigger (htmx 4 has no 286).
 */
import type { FollowedUpload } from "../services/runs/run-progress.js";

/** htmx's "stop polling" status. */
export const STOP_POLLING = 286;

export interface UploadMeter {
  /** null: an indeterminate bar (how much is left is not known yet). */
  value: number | null;
  max: number;
  words: string;
}

export interface UploadProgressView {
  /** Ask again in a moment (200), or stop (286) until the form is sent again. */
  again: boolean;
  /** The bar and its words now; null leaves them as they are (the browser's own upload progress, app.js). */
  meter: UploadMeter | null;
}

/** Before anything is sent, and again after a try that was refused. */
export const UPLOAD_METER_START: UploadMeter = { value: 0, max: 100, words: "Uploading…" };

const count = (n: number) => n.toLocaleString("en-US");

export function uploadProgressView(followed: FollowedUpload | null): UploadProgressView {
  // Not followed (another user's id, or a post that never arrived): nothing to wait for.
  if (!followed) return { again: false, meter: null };
  const { kind, status, open } = followed;
  if (status?.phase === "done") {
    const words = `Done: ${count(status.total)} numbers. Opening the result…`;
    return { again: false, meter: { value: 1, max: 1, words } };
  }
  // Answered without a result (refused, or it failed): that answer says why; the bar is
  // ready for the next try.
  if (!open) return { again: false, meter: UPLOAD_METER_START };
  // The file is still arriving: only the browser knows how much of it it has sent.
  if (!status) return { again: true, meter: null };
  const { phase, done, total } = status;
  if (phase === "reading") {
    return {
      again: true,
      meter: { value: null, max: 1, words: `Reading the file… ${count(done)} numbers so far` },
    };
  }
  if (phase === "waiting") {
    const words = `${count(total)} numbers read; waiting for another change to finish…`;
    return { again: true, meter: { value: null, max: 1, words } };
  }
  const verb = kind === "delete" ? "Deleting" : "Adding";
  const words = `${verb} ${count(done)} of ${count(total)} numbers…`;
  return {
    again: true,
    meter: total > 0 ? { value: done, max: total, words } : { value: null, max: 1, words },
  };
}
