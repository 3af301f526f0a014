import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";

/**
 * A browser-like client for app.inject: keeps cookies between requests and sends the page's
 * CSRF token with every request, as the forms (hidden _csrf) and htmx (header) do.
 */
export class Agent {
  readonly cookies = new Map<string, string>();
  csrfToken = "";

  constructor(readonly app: FastifyInstance) {}

  async inject(options: InjectOptions): Promise<LightMyRequestResponse> {
    const cookies = { ...Object.fromEntries(this.cookies), ...(options.cookies ?? {}) };
    const headers = { ...(options.headers ?? {}) } as Record<string, string>;
    if (this.csrfToken && !("x-csrf-token" in headers)) headers["x-csrf-token"] = this.csrfToken;
    const response = await this.app.inject({ ...options, headers, cookies });
    for (const cookie of response.cookies) {
      const expired =
        cookie.maxAge === 0 ||
        (cookie.expires !== undefined && cookie.expires.getTime() < Date.now());
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  /** Reads the token the server put in a page (meta tag or hidden field). */
  takeCsrfFrom(html: string): void {
    const match =
      /name="csrf-token" content="([^"]+)"/.exec(html) ?? /name="_csrf" value="([^"]+)"/.exec(html);
    if (match?.[1]) this.csrfToken = match[1];
  }

  /** Signs in through the real form; throws when it does not end on a signed-in page. */
  async signIn(email: string, password: string): Promise<this> {
    const page = await this.inject({ url: "/login" });
    this.takeCsrfFrom(page.body);
    const res = await this.inject({
      method: "POST",
      url: "/login",
      payload: new URLSearchParams({ email, password, _csrf: this.csrfToken }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    // nd_session, or __Host-nd_session with COOKIE_SECURE=true.
    const session = [...this.cookies.keys()].some((name) => name.endsWith("nd_session"));
    if (res.statusCode !== 303 || !session) {
      throw new Error(`sign-in as ${email} failed: ${res.statusCode}`);
    }
    const account = await this.inject({ url: "/account", headers: { accept: "text/html" } });
    this.takeCsrfFrom(account.body);
    return this;
  }
}
