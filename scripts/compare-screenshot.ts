/**
 * Renders the Compare Runs page for real run folders, or for one sweep folder (its ranking and one run per cell), in
 * headless Chromium (the webview test harness, Dark+ theme, the extension's own CSP) and saves a screenshot: how
 * docs/compare-label-smoothing.png and docs/sweep-remedies-fashion.png were made.
 *
 *   npm run build && node --import tsx scripts/compare-screenshot.ts RUN_DIR RUN_DIR [...] --out docs/x.png
 *   npm run build && node --import tsx scripts/compare-screenshot.ts SWEEP_DIR --out docs/x.png
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readRun } from '../src/runtime/runs';
import { comparisonView } from '../src/extension/views/compareView';
import { sweepComparisonView } from '../src/extension/views/sweepView';
import { isSweepDir, sweepForCompare } from '../src/runtime/sweep';
import { ARTIFACTS, launch, openWebview, toUri, waitFor } from '../test/webview/harness';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, width: { type: 'string', default: '1280' } } });
const sweepMode = positionals.length === 1 && isSweepDir(positionals[0]);
if ((positionals.length < 2 && !sweepMode) || !values.out) {
  console.error('usage: node --import tsx scripts/compare-screenshot.ts RUN_DIR RUN_DIR [...] --out FILE.png  (or one SWEEP_DIR)');
  process.exit(2);
}
async function main(): Promise<void> {
// The harness serves files from this repository only: copy the runs (or the sweep) under .test-artifacts/ first.
const copies = positionals.map((d, i) => {
  const to = path.join(ARTIFACTS, 'compare-screenshot', `${i}-${path.basename(path.resolve(d))}`);
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(d, to, { recursive: true });
  return to;
});
let view;
if (sweepMode) {
  const sv = await sweepForCompare(copies[0]);
  view = sweepComparisonView(sv, await Promise.all(sv.runDirs.map((d) => readRun(d))), toUri);
} else {
  view = comparisonView(await Promise.all(copies.map((d) => readRun(d))), toUri);
}
const browser = await launch();
try {
  const h = await openWebview(browser, 'compare', { width: Number(values.width), height: 900 });
  await waitFor(h.posted, (p) => p.some((m) => m.type === 'ready'), 'the ready message');
  await h.send([{ type: 'comparison', comparison: view }]);
  await h.page.waitForSelector('[data-testid="compare-grid"]');
  await h.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="compare-grid"]')].every((i) => i.complete && i.naturalWidth > 0));
  await h.page.waitForTimeout(300);
  await h.page.screenshot({ path: path.resolve(values.out!), fullPage: true });
  if (h.cspViolations.length || h.pageErrors.length) console.error({ csp: h.cspViolations, errors: h.pageErrors });
  console.log(`${values.out}: ${view.runs.map((r) => `${r.label} (${r.step} steps)`).join(' vs ')}; differing keys: ${view.configDiff.map((d) => `${d.key} ${d.values.join(' vs ')}`).join(', ')}`);
} finally {
  await browser.close();
}
}

void main().catch((err) => { console.error(err); process.exit(1); });
