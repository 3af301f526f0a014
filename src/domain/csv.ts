import { replaceControlsKeepingLines } from "./text.js";

/**
 * One CSV cell, safe to open in a spreadsheet: a value that a spreadsheet would run as a
 * formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe,
 * and anything with a comma, quote or line break is quoted.
 */
export function csvCell(value: string | number | null | undefined): string {
  // No NUL or other control reaches a spreadsheet, whatever an older row may hold.
  let text = replaceControlsKeepingLines(
    value === null || value === undefined ? "" : String(value),
  );
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: Array<string | number | null | undefined>): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
