/**
 * The portal's sources compiled to JavaScript in a temporary folder, as `npm run build` puts
 * them in dist: for tests of the worker threads as the portal runs them, with their own heap
 * caps (thread-heap.ts gives threads loaded through the tests' TypeScript loader more).
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { PROJECT_ROOT } from "../../src/paths.js";

/** Every module under src/, compiled as tsc compiles them (isolatedModules), into `dir`. */
function compileSources(dir: string): void {
  const options = ts.parseJsonConfigFileContent(
    JSON.parse(readFileSync(join(PROJECT_ROOT, "tsconfig.json"), "utf8")),
    ts.sys,
    PROJECT_ROOT,
  ).options;
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? walk(join(folder, entry.name))
        : entry.name.endsWith(".ts")
          ? [join(folder, entry.name)]
          : [],
    );
  for (const file of walk(join(PROJECT_ROOT, "src"))) {
    const { outputText } = ts.transpileModule(readFileSync(file, "utf8"), {
      // ESM as NodeNext emits it for this "type": "module" package (transpileModule cannot
      // see package.json, so it is told).
      compilerOptions: { ...options, module: ts.ModuleKind.ESNext, sourceMap: false },
      fileName: file,
    });
    const out = join(dir, relative(PROJECT_ROOT, file).replace(/\.ts$/, ".js"));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
}

/**
 * A temporary folder holding src/ compiled (src/… .js), a package.json of type module and
 * the project's node_modules; `remove` deletes it.
 */
export function compiledPortal(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "numberdesk-run-js-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  compileSources(dir);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
