import fastifyStatic from "@fastify/static";
import fp from "fastify-plugin";
import { HTMX_DIST_DIR, PUBLIC_DIR } from "../../paths.js";

/** Our CSS and JS under /static/, and htmx served straight from its npm package. */
export const staticPlugin = fp(
  async (app) => {
    await app.register(fastifyStatic, {
      root: PUBLIC_DIR,
      prefix: "/static/",
      maxAge: "1h",
      index: false,
    });
    await app.register(fastifyStatic, {
      root: HTMX_DIST_DIR,
      prefix: "/static/vendor/htmx/",
      decorateReply: false,
      maxAge: "1d",
      index: false,
      allowedPath: (pathName) => pathName === "/htmx.min.js",
    });
  },
  { name: "static" },
);
