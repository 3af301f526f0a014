import helmet from "@fastify/helmet";
import fp from "fastify-plugin";

/**
 * Security headers on every response, errors included. The CSP allows only our own scripts
 * and styles: no inline code anywhere, htmx configured from a <meta> tag.
 */
export const securityHeadersPlugin = fp<{ hsts: boolean }>(
  async (app, { hsts }) => {
    await app.register(helmet, {
      global: true,
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
      // HSTS only makes sense behind TLS; turned on by configuration.
      strictTransportSecurity: hsts ? { maxAge: 31536000, includeSubDomains: true } : false,
    });
  },
  { name: "security-headers" },
);
