import type { IncomingMessage, ServerResponse } from "node:http";
import fp from "fastify-plugin";
import helmet, { type HelmetOptions } from "helmet";

/**
 * Security headers on every response, errors included. The CSP allows only our own scripts
 * and styles: no inline code anywhere, htmx configured from a <meta> tag.
 */
function helmetOptions(hsts: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      // helmet's defaults add upgrade-insecure-requests, which breaks plain-HTTP on-prem use.
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: "same-origin" },
    // Headers only browsers long gone act on (IE 8's downloads, Flash and Acrobat policies,
    // the XSS auditors, DNS prefetching of links): left out, so every answer is 120 bytes
    // lighter. What stays is what current browsers enforce.
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    xDnsPrefetchControl: false,
    // HSTS only makes sense behind TLS; turned on by configuration.
    strictTransportSecurity: hsts ? { maxAge: 31536000, includeSubDomains: true } : false,
  };
}

/**
 * The headers helmet would write, asked of it once. Our policy has no nonces and nothing
 * that depends on the request, so the answer is the same for every response; asking helmet
 * per request (as @fastify/helmet does) re-parsed the CSP each time, a measurable share of
 * every request's cost (issue 16).
 */
function securityHeaders(hsts: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = value;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  helmet(helmetOptions(hsts))(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error;
      finished = true;
    },
  );
  // helmet's middleware is synchronous; had it not finished, the set would be incomplete.
  if (!finished) throw new Error("helmet did not finish computing the security headers");
  return headers;
}

export const securityHeadersPlugin = fp<{ hsts: boolean }>(
  async (app, { hsts }) => {
    const headers = securityHeaders(hsts);
    app.addHook("onRequest", (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  },
  { name: "security-headers" },
);
