import { replaceControlsKeepingLines } from "./text.js";

/**
 * A plain E.164 number ("+12133734253"): a spreadsheet reads it as a number, never runs it,
 * and scripts reading an export want it clean, so it is the one "+" cell written as is.
 */
const PLAIN_E164 = /^\+[1-9]\d{6,14}$/;

/**
 * One CSV cell, safe to open in a spreadsheet: a value that a spreadsheet would run as a
 * formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe,
 * unless it is a plain E.164 number; anything with a comma, quote or line break is quoted.
 */
export function csvCell(value: string | number | null | undefined): string {
  // No NUL or other control reaches a spreadsheet, whatever an older row may hold.
  let text = replaceControlsKeepingLines(
    value === null || value === undefined ? "" : String(value),
  );
  if (/^[=+\-@\t\r]/.test(text) && !PLAIN_E164.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: Array<string | number | null | undefined>): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
