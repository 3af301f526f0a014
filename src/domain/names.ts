/** Names of businesses, units, programs and call purposes: one rule for all of them. */
const NAME_MAX_LENGTH = 100;

/** Folds white space and Unicode forms so "ACME  Corp" and "ACME Corp" are one name. */
export function normaliseName(raw: string): string {
  return raw.normalize("NFC").replace(/\s+/g, " ").trim();
}

/** Returns a message when the (normalised) name breaks the rule, else null. */
export function validateName(name: string, what: string): string | null {
  if (name.length === 0) return `Enter a ${what} name.`;
  if ([...name].length > NAME_MAX_LENGTH) {
    return `The ${what} name can be at most ${NAME_MAX_LENGTH} characters.`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  if (/[\u0000-\u001f\u007f]/.test(name))
    return `The ${what} name cannot contain control characters.`;
  return null;
}
