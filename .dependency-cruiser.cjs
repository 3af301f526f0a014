/**
 * The layer rules of docs/architecture.md, checked by `npm test` (npm run deps).
 * route → service → query → db; domain is pure; services know nothing of the web.
 */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "An import cycle means two modules are one; merge them or move what they share.",
      from: {},
      to: { circular: true },
    },
    {
      name: "routes-use-services",
      severity: "error",
      comment: "Routes translate HTTP; data comes through a service, never straight from SQL.",
      from: { path: "^src/routes/" },
      to: { path: "^src/(queries|db)/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "web-uses-services",
      severity: "error",
      comment: "The web layer (plugins, presentation) reaches data through services, like routes.",
      from: { path: "^src/web/" },
      to: { path: "^src/(queries|db)/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "domain-is-pure",
      severity: "error",
      comment:
        "Domain rules import only other domain rules (and pure libraries such as libphonenumber-js).",
      from: { path: "^src/domain/" },
      to: { path: "^src/", pathNot: "^src/domain/" },
    },
    {
      name: "services-know-no-web",
      severity: "error",
      comment:
        "Services never touch Fastify, routes or the web layer: they are called from the CLI too.",
      from: { path: "^src/(services|queries|db)/" },
      to: { path: "^src/(routes|web)/|^node_modules/(fastify|@fastify)/" },
    },
    {
      name: "queries-below-services",
      severity: "error",
      comment: "Queries and the database modules do not call up into services.",
      from: { path: "^src/(queries|db)/" },
      to: { path: "^src/services/" },
    },
    {
      name: "no-unused-files",
      severity: "error",
      comment: "A file nothing imports is dead code (entry points excepted).",
      from: {
        orphan: true,
        pathNot: [
          "\\.d\\.ts$",
          "^src/server\\.ts$",
          "^src/cli/",
          "^bench/main\\.ts$",
          "worker\\.ts$",
          "^test/",
          "^migrations/index\\.ts$",
        ],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
