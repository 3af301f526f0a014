/**
 * axe-core in the browser suite: the accessibility checks of a page or an open dialog.
 *
 * The page's CSP (`script-src 'self'`) blocks an inline <script>, so page.addScriptTag({content})
 * would fail (and log a CSP violation). page.evaluate runs through the DevTools protocol, which
 * CSP does not govern: axe's source goes in that way, and the page's own policy stays as it is
 * for everything the page does.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), {
  encoding: "utf8",
});

/** Impacts that fail a test; moderate and minor ones are only counted in the summary. */
const FAILING_IMPACTS = ["serious", "critical"] as const;

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  /** Each offending node as its CSS selector, with axe's summary of what is wrong. */
  nodes: string[];
}

interface AxeWindow {
  axe?: {
    run(
      context: unknown,
      options: unknown,
    ): Promise<{
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: unknown[]; failureSummary?: string }[];
      }[];
    }>;
    setup(node?: Node): unknown;
    teardown(): void;
    commons: {
      text: { accessibleText(element: Element): string };
      dom: { isVisibleToScreenReaders(element: Element): boolean };
    };
  };
}

async function ensureAxe(page: Page): Promise<void> {
  const loaded = await page.evaluate(() => Boolean((window as AxeWindow).axe));
  if (!loaded) await page.evaluate(AXE_SOURCE);
}

/**
 * Runs axe on the page as it is now (an open modal dialog included). `exclude` takes CSS
 * selectors of parts not to check.
 */
async function axeFindings(page: Page, exclude: string[] = []): Promise<AxeFinding[]> {
  await ensureAxe(page);
  return page.evaluate(async (excluded) => {
    const axe = (window as AxeWindow).axe;
    if (!axe) throw new Error("axe-core did not load");
    const context = excluded.length
      ? { include: [["html"]], exclude: excluded.map((s) => [s]) }
      : document;
    const result = await axe.run(context, { resultTypes: ["violations"] });
    return result.violations.map((violation) => ({
      rule: violation.id,
      impact: violation.impact ?? "unknown",
      help: violation.help,
      nodes: violation.nodes.map(
        (node) =>
          `${node.target.map(String).join(" ")}: ${(node.failureSummary ?? "").replace(/\s+/g, " ")}`,
      ),
    }));
  }, exclude);
}

/**
 * Fields (input, select, textarea) that assistive technology can reach but that have no
 * accessible name, as axe computes it: each as its id or name. Fields out of reach (hidden,
 * or behind an open modal dialog) are not counted.
 */
export async function unnamedFields(page: Page): Promise<string[]> {
  await ensureAxe(page);
  return page.evaluate(() => {
    const axe = (window as AxeWindow).axe;
    if (!axe) throw new Error("axe-core did not load");
    axe.setup(document);
    try {
      const fields = document.querySelectorAll("input, select, textarea");
      return [...fields]
        .filter((field) => axe.commons.dom.isVisibleToScreenReaders(field))
        .filter((field) => axe.commons.text.accessibleText(field).trim() === "")
        .map((field) => `${field.tagName.toLowerCase()}#${field.id || field.getAttribute("name")}`);
    } finally {
      axe.teardown();
    }
  });
}

/** Collects what every checked screen had: its failing findings, and counts of the rest. */
export class AxeReport {
  readonly minor = new Map<string, number>();
  /** The screens each moderate/minor rule was found on. */
  readonly where = new Map<string, string[]>();
  screens = 0;

  /** Checks the page (`screen` names it); returns the findings that fail (serious or critical). */
  async check(page: Page, screen: string, exclude: string[] = []): Promise<AxeFinding[]> {
    const findings = await axeFindings(page, exclude);
    this.screens += 1;
    for (const finding of findings) {
      if ((FAILING_IMPACTS as readonly string[]).includes(finding.impact)) continue;
      const key = `${finding.rule} (${finding.impact})`;
      this.minor.set(key, (this.minor.get(key) ?? 0) + finding.nodes.length);
      this.where.set(key, [...(this.where.get(key) ?? []), screen]);
    }
    return findings.filter((finding) =>
      (FAILING_IMPACTS as readonly string[]).includes(finding.impact),
    );
  }

  /** One line: how many screens, and the moderate/minor findings by rule. */
  summary(): string {
    const rest = [...this.minor].map(([rule, count]) => `${rule}: ${count}`).join(", ");
    return `axe checked ${this.screens} screens; moderate/minor findings: ${rest || "none"}`;
  }

  /** Where each moderate/minor finding was, one line per rule. */
  details(): string[] {
    return [...this.where].map(([rule, screens]) => `${rule} on: ${screens.join("; ")}`);
  }
}
