/**
 * Text that users give and the portal keeps or shows again (a run's entries as given, names,
 * searches). C0 control characters and DEL have no place in one line of such text: a NUL
 * ends strings in C tools and spreadsheets, others move the cursor or ring bells in a
 * terminal reading a log or CSV. Each is replaced by U+FFFD, the sign for "a character that
 * could not be shown", so the text keeps its length and shows that something was there.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds
const CONTROLS = /[\u0000-\u001f\u007f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, but tab and line ends stay
const CONTROLS_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export const REPLACEMENT = "\ufffd";

/** One line of user text, every C0 control and DEL replaced. */
export function replaceControls(text: string): string {
  return text.replace(CONTROLS, REPLACEMENT);
}

/** Text that may span lines (a CSV cell quotes them): tab, CR and LF stay, the rest go. */
export function replaceControlsKeepingLines(text: string): string {
  return text.replace(CONTROLS_BUT_LINES, REPLACEMENT);
}
