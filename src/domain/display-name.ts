/**
 * The display name is what the called party's phone shows, so carriers restrict it:
 * 1–32 characters of letters, digits, spaces and & ' , . - ( ) /, no space at either end.
 */
export const DISPLAY_NAME_MAX_LENGTH = 32;

const ALLOWED = /^[\p{L}\p{N} &',.\-()/]+$/u;

/** Returns a message when the display name breaks the rule, else null. Input is not trimmed. */
export function validateDisplayName(displayName: string): string | null {
  if (displayName.length === 0) return "Enter the display name the called party will see.";
  const length = [...displayName].length;
  if (length > DISPLAY_NAME_MAX_LENGTH) {
    return `The display name can be at most ${DISPLAY_NAME_MAX_LENGTH} characters (this one has ${length}).`;
  }
  if (displayName !== displayName.trim()) {
    return "The display name cannot start or end with a space.";
  }
  if (!ALLOWED.test(displayName)) {
    const bad = [...new Set([...displayName].filter((ch) => !ALLOWED.test(ch)))].join(" ");
    return `The display name may only use letters, digits, spaces and & ' , . - ( ) / — not: ${bad}`;
  }
  return null;
}
