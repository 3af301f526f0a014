import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding package.json, views/ and public/. Found by walking up so the same code
 * works from src/ (tests) and from dist/src/ (the built server).
 */
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${import.meta.url}`);
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot();
export const VIEWS_DIR = join(PROJECT_ROOT, "views");
export const PUBLIC_DIR = join(PROJECT_ROOT, "public");
export const HTMX_DIST_DIR = join(PROJECT_ROOT, "node_modules", "htmx.org", "dist");
