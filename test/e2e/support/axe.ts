import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame, FrameLocator, Page } from 'playwright-core';
import { z } from 'zod';

const require = createRequire(import.meta.url);
/** axe-core's browser build, injected into the page or frame under test. */
const AXE_SCRIPT = require.resolve('axe-core/axe.min.js');

/** The WCAG 2.0/2.1 level A and AA rules: what issue 13 asks the app to meet. */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

const violationSchema = z.object({
  id: z.string(),
  impact: z.enum(['minor', 'moderate', 'serious', 'critical']).nullable(),
  help: z.string(),
  nodes: z.array(z.object({ target: z.array(z.unknown()), failureSummary: z.string().optional() })),
});
const resultSchema = z.object({ violations: z.array(violationSchema) });

export type AxeViolation = z.infer<typeof violationSchema>;

/** One axe run: every violation, and the serious/critical ones a page must not have. */
export interface AxeReport {
  /** What was checked, for messages: `admin/en/directory`. */
  label: string;
  violations: AxeViolation[];
  blocking: AxeViolation[];
}

/** Resolves a page, a frame or a frame locator (the app inside the portal page) to a Frame axe can run in. */
async function frameOf(target: Page | Frame | FrameLocator): Promise<Page | Frame> {
  if ('owner' in target) {
    const handle = await target.owner().elementHandle();
    const frame = await handle?.contentFrame();
    if (!frame) throw new Error('the frame has no document to check');
    return frame;
  }
  return target;
}

/**
 * Runs axe-core (WCAG 2 A/AA rules) on a page, a frame, or the app's frame locator, and returns its
 * violations; `blocking` holds the serious and critical ones. The script is injected once per document.
 */
export async function runAxe(target: Page | Frame | FrameLocator, label: string): Promise<AxeReport> {
  const frame = await frameOf(target);
  const loaded = await frame.evaluate(() => 'axe' in window);
  if (!loaded) {
    try {
      await frame.addScriptTag({ path: AXE_SCRIPT });
    } catch {
      // Keycard's pages allow scripts from their own origin only (CSP `script-src 'self'`), which refuses an
      // injected inline script; code evaluated through the DevTools protocol is not subject to the page's CSP.
      await frame.evaluate(readFileSync(AXE_SCRIPT, 'utf8'));
    }
  }
  const raw: unknown = await frame.evaluate(
    async (tags) => {
      const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<unknown> } }).axe;
      return axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    },
    WCAG_AA_TAGS as unknown as string[],
  );
  const { violations } = resultSchema.parse(raw);
  return {
    label,
    violations,
    blocking: violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'),
  };
}

/** A short, readable line per violation (for a failing assertion or a printed summary). */
export function describeViolations(violations: readonly AxeViolation[]): string[] {
  return violations.map(
    (violation) =>
      `${violation.impact ?? 'unknown'} ${violation.id} ×${violation.nodes.length}: ${violation.help} — ${violation.nodes
        .slice(0, 3)
        .map((node) => `${JSON.stringify(node.target)} ${node.failureSummary?.split('\n').slice(1, 2).join('') ?? ''}`)
        .join(' | ')}`,
  );
}
