/**
 * A rendered page as the bytes of the response, encoded here rather than by Node's socket.
 *
 * Why: Node writes a string response by measuring its UTF-8 length first when the string
 * (headers included) is over 65,535 characters, and that path costs about 0.8 ms more per
 * response than the page's whole render (issue 16: a business dashboard of 50 rows is about
 * 65,000 characters, so one more character in a name made it 3× slower in the bench).
 * TextEncoder.encodeInto writes the string into a buffer in one pass without measuring it
 * first; below that length it is also slightly cheaper than the string path.
 *
 * Left as it is: a page of more than about 65,500 characters with any character beyond
 * Latin-1 (›, –, …) still costs that much more, whatever sends it. V8 first copies the page
 * into one flat string of 2 bytes per character, and above 128 KiB that copy is a large
 * object with pages of its own (the Business view filtered by call purpose, 68,000 characters).
 */
const encoder = new TextEncoder();

/** Room for the few characters that take 2–3 bytes in UTF-8 (›, –, names with accents). */
const slackFor = (length: number) => (length >> 3) + 64;

export function htmlBody(html: string): Buffer {
  const body = Buffer.allocUnsafe(html.length + slackFor(html.length));
  const { read, written } = encoder.encodeInto(html, body);
  if (read === html.length) return body.subarray(0, written);
  // Mostly non-ASCII text (more than one character in eight): encode the rest at its worst
  // case, 3 bytes per UTF-16 unit, and join the two parts.
  const rest = html.slice(read);
  const tail = Buffer.allocUnsafe(rest.length * 3);
  const more = encoder.encodeInto(rest, tail).written;
  return Buffer.concat([body.subarray(0, written), tail.subarray(0, more)]);
}
