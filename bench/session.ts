/** The cookies of a signed-in browser, as one Cookie header for every bench request. */
export interface BrowserSession {
  cookie: string;
  names: string[];
}

/** Browsers send this on a page load; signed out, the portal then answers 303 to /login. */
export const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

function remember(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(";", 1)[0] ?? "";
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    // A cleared cookie comes back empty (with an expiry in the past): the browser drops it.
    if (value === "") jar.delete(name);
    else jar.set(name, value);
  }
}

const header = (jar: Map<string, string>) =>
  [...jar].map(([name, value]) => `${name}=${value}`).join("; ");

/** Text taken from our HTML (a CSRF token's attribute), as the page's own value. */
export const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/**
 * Signs in the way a browser does: the form's hidden CSRF token and the `nd_csrf` cookie from
 * GET /login, then POST /login, whose 303 carries the `nd_session` cookie. Throws with what
 * went wrong, since every measurement after this depends on it.
 */
export async function signIn(
  baseUrl: string,
  email: string,
  password: string,
): Promise<BrowserSession> {
  const jar = new Map<string, string>();
  const form = await fetch(`${baseUrl}/login`, {
    headers: { accept: BROWSER_ACCEPT },
    redirect: "manual",
  });
  const html = await form.text();
  if (form.status !== 200) throw new Error(`GET /login answered ${form.status}, not 200.`);
  remember(jar, form);
  const token = /name="_csrf"\s+value="([^"]*)"/.exec(html)?.[1];
  if (!token) throw new Error("GET /login has no hidden _csrf field.");
  if (!jar.has("nd_csrf")) throw new Error("GET /login set no nd_csrf cookie.");

  const signedIn = await fetch(`${baseUrl}/login`, {
    method: "POST",
    headers: {
      accept: BROWSER_ACCEPT,
      "content-type": "application/x-www-form-urlencoded",
      cookie: header(jar),
    },
    body: new URLSearchParams({ email, password, _csrf: unescapeHtml(token), next: "/" }),
    redirect: "manual",
  });
  await signedIn.arrayBuffer();
  remember(jar, signedIn);
  const location = signedIn.headers.get("location");
  if (signedIn.status !== 303 || !jar.has("nd_session")) {
    throw new Error(
      `POST /login answered ${signedIn.status}${location ? ` → ${location}` : ""} without ` +
        "an nd_session cookie: the sign-in failed.",
    );
  }
  if (location !== "/") {
    // e.g. /account/password: every other page would redirect there too.
    throw new Error(`POST /login sent the bench admin to ${location}, not to /.`);
  }
  return { cookie: header(jar), names: [...jar.keys()] };
}
